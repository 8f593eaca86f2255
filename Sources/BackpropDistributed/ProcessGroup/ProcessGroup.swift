import Backprop
import BackpropNN
import Foundation

/// The processes of one distributed run, and the collectives they take part in together: MPI's
/// `MPI_COMM_WORLD`, as PyTorch's default process group and MLX's `mx.distributed.init()` are.
///
/// Start the program under an MPI launcher, one process per rank (`mpirun -np 4 prog`,
/// `srun prog`), and make one group per process:
///
/// ```
/// try ProcessGroup.run { group in
///     print("rank \(group.rank) of \(group.size)")
///     var total = Tensor<Float>([Float(group.rank)])
///     try group.allReduce(&total)              // 0 + 1 + … on every rank
/// }
/// ```
///
/// Every collective (``allReduce(_:_:)``, ``broadcast(_:from:)``, ``barrier()``) must be called by
/// every rank, in the same order, with the same sizes. One that waits longer than
/// ``collectiveTimeout`` for the others stops the process with a message (see Docs/Distributed.md).
///
/// MPI is loaded when the group is made, not linked: without MPI installed, making a group
/// throws ``DistributedError/mpiNotFound(tried:reason:)``, which says what to install. The group
/// belongs to the thread that made it; MPI is initialized with `MPI_THREAD_FUNNELED`.
public final class ProcessGroup: @unchecked Sendable {
    /// This process's index in the group, from 0.
    public let rank: Int
    /// The number of processes in the group: the world size.
    public let size: Int
    /// This process's index among the group's processes on this host, from 0: PyTorch's `LOCAL_RANK`.
    public private(set) var localRank = 0
    /// The number of the group's processes on this host, which share its cores.
    public private(set) var localSize = 1
    /// How long a collective may wait for the other ranks before this process stops.
    public let collectiveTimeout: Duration
    /// The MPI library's own description of itself (`Open MPI v4.1.4, …`).
    public let mpiVersion: String
    /// This host's name, as MPI reports it.
    public let hostName: String

    let library: MPILibrary
    private let watchdog: CollectiveWatchdog
    private var isFinalized = false

    /// A timeout long enough for rank 0 to evaluate or write a checkpoint while the others wait.
    public static let defaultTimeout: Duration = .seconds(600)

    /// Initializes MPI (`MPI_Init_thread`) and makes the group of every process the launcher started.
    ///
    /// Without a launcher, the process is a group of one (MPI's singleton start).
    ///
    /// - Parameters:
    ///   - timeout: how long a collective may wait for every rank to arrive.
    ///   - library: the MPI library to load, a file name or a path. By default `BACKPROP_MPI_LIBRARY`,
    ///     else Open MPI's `libmpi.so.40`, then MPICH's `libmpich.so.12` (MPICH's first when MPICH's
    ///     launcher started the process).
    /// - Throws: ``DistributedError/mpiNotFound(tried:reason:)`` without MPI;
    ///   ``DistributedError/alreadyInitialized`` or ``DistributedError/alreadyFinalized`` when MPI was
    ///   initialized before in this process; ``DistributedError/mpiFailed(operation:rank:message:)``.
    public static func initialize(timeout: Duration = defaultTimeout, library: String? = nil) throws(DistributedError) -> ProcessGroup {
        guard timeout > .zero else {
            throw .invalidArgument(operation: "ProcessGroup.initialize", message: "the timeout \(timeout) is not positive")
        }
        let candidates = library.map { [$0] } ?? MPILibrary.candidates(environment: ProcessInfo.processInfo.environment)
        return try ProcessGroup(library: try MPILibrary.open(candidates: candidates), timeout: timeout)
    }

    /// Runs `body` in a new group on every rank, then finalizes MPI. If `body` throws on any rank, that
    /// rank prints the error, naming itself, and aborts the whole job (`MPI_Abort`), so no rank is
    /// left waiting for it.
    ///
    /// - Throws: what ``initialize(timeout:library:)`` throws; errors from `body` abort instead.
    public static func run<Value>(timeout: Duration = defaultTimeout, library: String? = nil,
                                  _ body: (ProcessGroup) throws -> Value) throws(DistributedError) -> Value {
        let group = try initialize(timeout: timeout, library: library)
        do {
            let result = try body(group)
            try group.finalize()
            return result
        } catch {
            group.abort(String(describing: error))
        }
    }

    private init(library: MPILibrary, timeout: Duration) throws(DistributedError) {
        var flag: Int32 = 0
        _ = library.finalized(&flag)
        if flag != 0 { throw .alreadyFinalized }
        _ = library.initialized(&flag)
        if flag != 0 { throw .alreadyInitialized }
        var provided: Int32 = 0
        let funneled: Int32 = 1    // MPI_THREAD_FUNNELED in both ABIs
        var code = library.initThread(nil, nil, funneled, &provided)
        guard code == 0 else { throw .mpiFailed(operation: "MPI_Init_thread", rank: -1, message: library.describe(code)) }
        // Errors come back as codes, which throw, rather than aborting inside MPI.
        code = library.commSetErrhandler(library.commWorld, library.errorsReturn)
        guard code == 0 else { throw .mpiFailed(operation: "MPI_Comm_set_errhandler", rank: -1, message: library.describe(code)) }
        var (rank, size): (Int32, Int32) = (0, 0)
        _ = library.commRank(library.commWorld, &rank)
        _ = library.commSize(library.commWorld, &size)
        self.library = library
        (self.rank, self.size, collectiveTimeout) = (Int(rank), Int(size), timeout)
        (mpiVersion, hostName) = (library.version, library.hostName)
        watchdog = CollectiveWatchdog(timeout: timeout, rankDescription: "rank \(rank) of \(size) (\(library.hostName))")
        watchdog.start()
        // Each rank's host, as a hash in its own slot; the largest of each slot is that rank's.
        var hasher = FNV1a()
        for byte in hostName.utf8 { hasher.add(UInt64(byte)) }
        let hash = Int64(bitPattern: hasher.value)
        var hosts = [Int64](repeating: .min, count: self.size)
        hosts[self.rank] = hash
        do { hosts = try maxima(of: hosts) } catch {
            throw .mpiFailed(operation: "MPI_Allreduce", rank: self.rank, message: String(describing: error))
        }
        localRank = hosts[..<self.rank].filter { $0 == hash }.count
        localSize = hosts.filter { $0 == hash }.count
    }

    /// Whether this is rank 0, the rank that prints and writes checkpoints.
    public var isMain: Bool { rank == 0 }

    /// This rank's part of each epoch, for ``DataLoader``'s `shard`.
    public var shard: DataShard { DataShard(index: rank, count: size) }

    /// Waits until every rank has called `barrier()`.
    public func barrier() throws(DistributedError) {
        try collective("MPI_Barrier") { library.barrier(library.commWorld) }
    }

    /// Ends MPI in this process (`MPI_Finalize`), which every rank must do before it exits; a
    /// second call does nothing. No collective can follow.
    public func finalize() throws(DistributedError) {
        guard !isFinalized else { return }
        isFinalized = true
        watchdog.stop()
        let code = library.finalize()
        guard code == 0 else { throw .mpiFailed(operation: "MPI_Finalize", rank: rank, message: library.describe(code)) }
    }

    /// Prints `message` to the standard error, naming this rank, and stops every rank of the job (`MPI_Abort`).
    public func abort(_ message: String, status: Int32 = 1) -> Never {
        let text = "backprop-distributed: rank \(rank) of \(size) (\(hostName)) failed: \(message)\n"
            + "backprop-distributed: stopping all \(size) ranks\n"
        FileHandle.standardError.write(Data(text.utf8))
        _ = library.abort(library.commWorld, status)
        exit(status)    // MPI_Abort does not return; this is in case an MPI does
    }

    /// Runs one MPI call as a collective: watched for the timeout, its error code thrown.
    func collective(_ operation: StaticString, _ call: () -> Int32) throws(DistributedError) {
        guard !isFinalized else {
            throw .invalidArgument(operation: "\(operation)", message: "the process group was finalized")
        }
        watchdog.begin(operation)
        let code = call()
        watchdog.end()
        guard code == 0 else { throw .mpiFailed(operation: "\(operation)", rank: rank, message: library.describe(code)) }
    }
}
