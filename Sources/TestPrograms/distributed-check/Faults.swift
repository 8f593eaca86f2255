import Backprop
import BackpropDistributed
import BackpropNN
import Foundation

enum Fault: String {
    /// The rank kills itself with SIGKILL, as the out-of-memory killer would.
    case kill
    /// The rank throws an error.
    case `throw`
    /// The rank stops taking part without exiting.
    case hang
}

struct InjectedFault: Error, CustomStringConvertible {
    let step: Int
    var description: String { "an error thrown on purpose at step \(step)" }
}

/// A model of a million parameters, whose checkpoint takes a while to write.
func faultModel(width: Int) -> Sequential<Float> {
    withRandomSeed(3) {
        Sequential(Linear(inputSize: 4, outputSize: 1024), Tanh(), Linear(inputSize: 1024, outputSize: 1024), Tanh(),
                   Linear(inputSize: 1024, outputSize: 2))
    }
}

/// Trains, with rank 0 saving a checkpoint at every step; at `step`, `rank` fails as `fault` says.
/// A rank 0 that is to be killed while it saves is killed in the middle of writing: as soon as
/// the temporary file that the write renames over the checkpoint appears.
func injectFault(_ fault: Fault, group: ProcessGroup, rank: Int, step failing: Int, checkpoint: URL?) throws {
    let model = faultModel(width: 1024)
    let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
    let parallel = try DistributedDataParallel(model, optimizer: optimizer, group: group)
    var generator = SeededGenerator(seed: UInt64(group.rank))
    for step in 1...1000 {
        if group.rank == rank && step == failing {
            print("rank \(rank): failing at step \(step) (\(fault))")
            fflush(nil)
            switch fault {
            case .kill where checkpoint != nil && group.isMain:
                let (directory, name) = (checkpoint!.deletingLastPathComponent().path, checkpoint!.lastPathComponent)
                Thread.detachNewThread {
                    while true {
                        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                        if files.contains(where: { $0.hasPrefix(".\(name).") && $0.hasSuffix(".tmp") }) { kill(getpid(), SIGKILL) }
                    }
                }
            case .kill: kill(getpid(), SIGKILL)
            case .throw: throw InjectedFault(step: step)
            case .hang: while true { sleep(1) }
            }
        }
        parallel.zeroGrad()
        let inputs = Tensor<Float>.normal([8, 4], using: &generator)
        meanSquaredError(predicted: model(Variable(inputs)), expected: Variable(Tensor.zeros([8, 2]))).backward()
        try parallel.step()
        if let checkpoint { try parallel.save(to: checkpoint, epoch: step) }
        print("rank \(group.rank): step \(step)")
        fflush(nil)
    }
    print("rank \(group.rank): finished without a fault")
}
