import BackpropDistributed
import Foundation
import Testing

/// The process group's collectives, and what a machine without MPI sees.
@Suite struct ProcessGroupCollectives {
    @Test(.enabled(if: MPIRun.unavailability == nil, "\(MPIRun.unavailability ?? "")"))
    func collectivesCombineTheValuesOfTwoRanks() throws {
        let result = try MPIRun.ranks(2, ["collectives"])
        #expect(result.status == 0, "\(result.output)")
        for rank in 0..<2 {
            #expect(result.lines(ofRank: rank).contains("size 2, collectives ok"), "\(result.output)")
            #expect(result.lines(ofRank: rank).contains("bad root: broadcast: root 2 is not a rank of 0..<2"))
            #expect(result.lines(ofRank: rank).contains("local rank \(rank) of 2"))    // one host
        }
    }

    @Test(.enabled(if: MPIRun.unavailability == nil, "\(MPIRun.unavailability ?? "")"))
    func withoutALauncherAProcessIsAGroupOfOne() throws {
        let result = try MPIRun.alone(["collectives"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.lines(ofRank: 0).contains("size 1, collectives ok"), "\(result.output)")
    }

    /// Every machine runs this one: a library that is not there gives the error a user without MPI sees.
    @Test func withoutMPIMakingAGroupSaysWhatToInstall() throws {
        let error = #expect(throws: DistributedError.self) {
            try ProcessGroup.initialize(library: "/nonexistent/libmpi.so.40")
        }
        guard case .mpiNotFound(let tried, _)? = error else {
            Issue.record("expected mpiNotFound, got \(String(describing: error))")
            return
        }
        #expect(tried == ["/nonexistent/libmpi.so.40"])
        let text = error?.description ?? ""
        #expect(text.hasPrefix("MPI is not installed, or the dynamic loader cannot find it (tried /nonexistent/libmpi.so.40: "))
        #expect(text.contains("apt-get install openmpi-bin libopenmpi-dev") && text.contains("BACKPROP_MPI_LIBRARY"))
    }

    @Test func aLibraryThatIsNotMPIIsRefusedByName() throws {
        let error = #expect(throws: DistributedError.self) { try ProcessGroup.initialize(library: "libm.so.6") }
        #expect(error?.description.contains("libm.so.6: it is neither Open MPI (no ompi_mpi_comm_world) nor MPICH") == true,
                "\(String(describing: error))")
    }
}
