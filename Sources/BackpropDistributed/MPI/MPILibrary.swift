#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The MPI library, opened at run time with `dlopen`, and the handles of its predefined objects.
///
/// Backprop links no MPI: the package builds and tests on a machine without it. The two ABIs in
/// use are told apart here. Open MPI's handles are the addresses of its exported predefined
/// objects (`&ompi_mpi_comm_world`); MPICH's (and Intel MPI's and MVAPICH's, which share its ABI)
/// are 32-bit integers fixed by its `mpi.h`. Both pass a handle in an integer register, so a
/// handle is held here as a pointer-sized bit pattern, which an `int` parameter reads the low half of.
struct MPILibrary: @unchecked Sendable {
    typealias Handle = UnsafeRawPointer

    /// Which MPI ABI the library has.
    enum Flavor: String, Sendable { case openMPI = "Open MPI", mpich = "MPICH" }

    let path: String
    let flavor: Flavor

    // The predefined objects.
    let commWorld: Handle
    let float: Handle
    let double: Handle
    let int64: Handle
    let sum: Handle
    let max: Handle
    let min: Handle
    let errorsReturn: Handle
    /// `MPI_IN_PLACE`: 1 in Open MPI, -1 in MPICH.
    let inPlace: UnsafeMutableRawPointer

    // The functions, as their C prototypes with handles widened to pointers.
    let initialized: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let finalized: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let initThread: @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?,
                                    Int32, UnsafeMutablePointer<Int32>) -> Int32
    let finalize: @convention(c) () -> Int32
    let abort: @convention(c) (Handle, Int32) -> Int32
    let commRank: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    let commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    let commSetErrhandler: @convention(c) (Handle, Handle) -> Int32
    let allreduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    let bcast: @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    let barrier: @convention(c) (Handle) -> Int32
    let errorString: @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32
    let libraryVersion: @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32
    let processorName: @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    /// The library names tried, in order, when `BACKPROP_MPI_LIBRARY` does not name one: the launcher's
    /// own MPI first (Open MPI's `mpirun` sets `OMPI_*` variables, MPICH's Hydra `PMI_*` ones).
    static func candidates(environment: [String: String]) -> [String] {
        if let path = environment["BACKPROP_MPI_LIBRARY"], !path.isEmpty { return [path] }
        #if canImport(Darwin)
        let openMPI = ["libmpi.40.dylib", "libmpi.dylib", "/opt/homebrew/lib/libmpi.dylib", "/usr/local/lib/libmpi.dylib"]
        let mpich = ["libmpich.12.dylib", "libmpi.12.dylib"]
        #else
        let openMPI = ["libmpi.so.40", "libmpi.so"]
        let mpich = ["libmpich.so.12", "libmpi.so.12"]
        #endif
        let launchedByMPICH = environment.keys.contains { $0.hasPrefix("PMI_") } && !environment.keys.contains { $0.hasPrefix("OMPI_") }
        return launchedByMPICH ? mpich + openMPI : openMPI + mpich
    }

    /// Opens the first of `candidates` that loads.
    ///
    /// - Throws: ``DistributedError/mpiNotFound(tried:reason:)`` if none loads, or lacks a function or an object.
    static func open(candidates: [String]) throws(DistributedError) -> MPILibrary {
        var reasons: [String] = []
        for name in candidates {
            // RTLD_GLOBAL: Open MPI's plugins, which it opens itself, resolve their symbols against libmpi.
            guard let library = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else {
                reasons.append(dlerror().map { String(cString: $0) } ?? "\(name): cannot be opened")
                continue
            }
            do { return try MPILibrary(path: name, library: library) } catch {
                reasons.append("\(name): \(error)")
                dlclose(library)
            }
        }
        throw .mpiNotFound(tried: candidates, reason: reasons.joined(separator: "; "))
    }

    private init(path: String, library: UnsafeMutableRawPointer) throws(LookupFailure) {
        func symbol(_ name: String) throws(LookupFailure) -> UnsafeMutableRawPointer {
            guard let address = dlsym(library, name) else { throw LookupFailure(description: "it has no \(name)") }
            return address
        }
        func function<F>(_ name: String, as type: F.Type) throws(LookupFailure) -> F {
            unsafeBitCast(try symbol(name), to: type)
        }
        self.path = path
        if dlsym(library, "ompi_mpi_comm_world") != nil {
            flavor = .openMPI
            commWorld = Handle(try symbol("ompi_mpi_comm_world"))
            float = Handle(try symbol("ompi_mpi_float"))
            double = Handle(try symbol("ompi_mpi_double"))
            int64 = Handle(try symbol("ompi_mpi_int64_t"))
            sum = Handle(try symbol("ompi_mpi_op_sum"))
            max = Handle(try symbol("ompi_mpi_op_max"))
            min = Handle(try symbol("ompi_mpi_op_min"))
            errorsReturn = Handle(try symbol("ompi_mpi_errors_return"))
            inPlace = UnsafeMutableRawPointer(bitPattern: 1)!
        } else {
            // The MPICH ABI's constants, from its mpi.h; MPICH exports MPIR_Err_return_comm, Open MPI does not.
            guard dlsym(library, "MPIR_Err_return_comm") != nil else {
                throw LookupFailure(description: "it is neither Open MPI (no ompi_mpi_comm_world) nor MPICH (no MPIR_Err_return_comm)")
            }
            flavor = .mpich
            func constant(_ value: UInt) -> Handle { Handle(bitPattern: value)! }
            commWorld = constant(0x4400_0000)
            float = constant(0x4c00_040a)
            double = constant(0x4c00_080b)
            int64 = constant(0x4c00_083a)
            sum = constant(0x5800_0003)
            max = constant(0x5800_0001)
            min = constant(0x5800_0002)
            errorsReturn = constant(0x5400_0001)
            inPlace = UnsafeMutableRawPointer(bitPattern: UInt.max)!
        }
        initialized = try function("MPI_Initialized", as: type(of: initialized))
        finalized = try function("MPI_Finalized", as: type(of: finalized))
        initThread = try function("MPI_Init_thread", as: type(of: initThread))
        finalize = try function("MPI_Finalize", as: type(of: finalize))
        abort = try function("MPI_Abort", as: type(of: abort))
        commRank = try function("MPI_Comm_rank", as: type(of: commRank))
        commSize = try function("MPI_Comm_size", as: type(of: commSize))
        commSetErrhandler = try function("MPI_Comm_set_errhandler", as: type(of: commSetErrhandler))
        allreduce = try function("MPI_Allreduce", as: type(of: allreduce))
        bcast = try function("MPI_Bcast", as: type(of: bcast))
        barrier = try function("MPI_Barrier", as: type(of: barrier))
        errorString = try function("MPI_Error_string", as: type(of: errorString))
        libraryVersion = try function("MPI_Get_library_version", as: type(of: libraryVersion))
        processorName = try function("MPI_Get_processor_name", as: type(of: processorName))
    }

    /// Why a library that opened is not a usable MPI.
    struct LookupFailure: Error, CustomStringConvertible { let description: String }

    /// The library's description of an MPI error code.
    func describe(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 1024)
        var length: Int32 = 0
        guard errorString(code, &text, &length) == 0 else { return "MPI error \(code)" }
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `MPI_Get_library_version`'s first line.
    var version: String {
        var text = [CChar](repeating: 0, count: 8192)
        var length: Int32 = 0
        guard libraryVersion(&text, &length) == 0 else { return flavor.rawValue }
        let whole = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return whole.split(whereSeparator: \.isNewline).first.map(String.init) ?? flavor.rawValue
    }

    /// `MPI_Get_processor_name`: the host's name, as MPI knows it.
    var hostName: String {
        var text = [CChar](repeating: 0, count: 1024)
        var length: Int32 = 0
        guard processorName(&text, &length) == 0 else { return "?" }
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
