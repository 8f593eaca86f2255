/// Why a distributed call failed.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// No MPI library could be loaded: MPI is not installed, or not where the dynamic loader looks.
    case mpiNotFound(tried: [String], reason: String)
    /// MPI was initialized already in this process (by an earlier ``ProcessGroup/initialize(timeout:)``
    /// or by other code); it can be initialized only once.
    case alreadyInitialized
    /// MPI was finalized already in this process; it cannot be initialized again.
    case alreadyFinalized
    /// A call into MPI returned an error.
    case mpiFailed(operation: String, rank: Int, message: String)
    /// A collective was given arguments that differ from what it needs (such as a root rank outside the group).
    case invalidArgument(operation: String, message: String)
    /// The file, written by rank 0 alone, could not be written there; every rank throws this.
    case checkpointNotWritten(path: String, message: String)

    public var description: String {
        switch self {
        case let .mpiNotFound(tried, reason):
            "MPI is not installed, or the dynamic loader cannot find it (tried \(tried.joined(separator: ", ")): \(reason)). "
                + "Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev; Fedora: dnf install "
                + "openmpi; macOS: brew install open-mpi) or MPICH, or set BACKPROP_MPI_LIBRARY to the path of libmpi"
        case .alreadyInitialized:
            "MPI is initialized already in this process: make one ProcessGroup and pass it around"
        case .alreadyFinalized:
            "MPI was finalized already in this process and cannot be initialized again"
        case let .mpiFailed(operation, rank, message):
            "\(operation) failed on rank \(rank): \(message)"
        case let .invalidArgument(operation, message):
            "\(operation): \(message)"
        case let .checkpointNotWritten(path, message):
            "rank 0 could not write \(path): \(message)"
        }
    }
}
