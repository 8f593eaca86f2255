#!/usr/bin/env bash
# Builds the C kernels of CBackpropKernels (the GEMM, and the FMA-peak chains) for arm64 Linux and checks it against a
# naive product under qemu. Optional: needs Debian's gcc-aarch64-linux-gnu and
# qemu-user (apt-get install gcc-aarch64-linux-gnu qemu-user); skips without them.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
    echo "arm64 kernel check: skipped (aarch64-linux-gnu-gcc and qemu-aarch64 not installed)"
    exit 0
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
kernels=Sources/CBackpropKernels
aarch64-linux-gnu-gcc -O2 -std=c11 -Wall -Wextra -Werror -I"$kernels/include" -I"$kernels" \
    "$kernels"/gemm.c "$kernels"/gemm_portable.c "$kernels"/gemm_avx2.c "$kernels"/fma_peak.c .ci/cross/gemm_check.c -lm -o "$out/gemm_check"
echo -n "arm64 (qemu): "
qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/gemm_check"
