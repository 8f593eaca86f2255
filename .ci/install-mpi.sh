#!/usr/bin/env bash
# Installs Open MPI from the system packages when it is missing and this machine can: the
# BackpropDistributed tests then run under a real `mpirun` with two ranks. Nothing else in the
# package needs MPI; without it those tests are skipped, and the test summary says so.
set -uo pipefail

if command -v mpirun >/dev/null 2>&1; then
    echo "mpirun is installed: $(mpirun --version 2>&1 | head -n 1)"
    exit 0
fi
packages="openmpi-bin libopenmpi-dev"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "SKIP: no mpirun and no apt-get to install $packages: the two-rank tests will be skipped"
    exit 0
fi
run=""
if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then run="sudo"; else
        echo "SKIP: no mpirun, and installing $packages needs root: the two-rank tests will be skipped"
        exit 0
    fi
fi
if $run apt-get update -qq && DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq $packages >/dev/null; then
    echo "installed: $(mpirun --version 2>&1 | head -n 1)"
else
    echo "SKIP: installing $packages failed (above): the two-rank tests will be skipped"
fi
