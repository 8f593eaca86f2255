import Backprop
import Foundation

/// What a checkpoint keeps besides tensors, as `__metadata__` strings in the same file.
///
/// Integers are written in decimal and the learning rates as Swift prints them,
/// which reads back to the same bits:
///
///     "format": "pt"                           safetensors' tag for PyTorch-layout tensors
///     "epoch": "3"
///     "optimizer.learning_rate": "0.05"        the first parameter group's rate
///     "optimizer.learning_rate.1": "0.01"      each later group's, by its index
///     "schedule.step": "3"
///     "schedule.<name>": "0.5"                 each other number of the schedule's state, by name
///     "rng.loader": "…"                        the loader's shuffle state
///     "rng.scope": "…"                         the withRandomSeed scope's generator
///     "rng.module.<name>": "…"                 each of the module's generators, by dotted name
///
/// Every entry is optional: files saved before they existed, or by PyTorch, hold none.
struct TrainingState<Scalar: TensorScalar> {
    var epoch: Int?
    /// Each parameter group's learning rate, in order; empty if the file holds none.
    var learningRates: [Scalar] = []
    var scheduleStep: Int?
    /// The schedule's state besides its step (``ScheduleState/values``), by name.
    var scheduleValues: [String: Scalar] = [:]
    var loaderState: UInt64?
    var scopeState: UInt64?
    /// The module's generators' states, by dotted name.
    var generatorStates: [String: UInt64] = [:]

    typealias Key = TrainingStateKey

    init() {}

    /// The state that `metadata`, the `__metadata__` of `url`, holds; other entries are ignored.
    ///
    /// - Throws: ``CheckpointError/invalidState(_:name:reason:)`` for an entry whose value does not parse.
    init(metadata: [String: String], url: URL) throws {
        func value<T>(_ key: String, _ parse: (String) -> T?, _ expected: String) throws -> T? {
            guard let text = metadata[key] else { return nil }
            guard let parsed = parse(text) else {
                throw CheckpointError.invalidState(url, name: key, reason: "\"\(text)\" is not \(expected)")
            }
            return parsed
        }
        let word = "an unsigned 64-bit integer"
        epoch = try value(Key.epoch, { Int($0) }, "an integer")
        if let first = try value(Key.learningRate, { Scalar($0) }, "a number") {
            learningRates = [first]
            while let rate = try value(Key.learningRate(ofGroup: learningRates.count), { Scalar($0) }, "a number") {
                learningRates.append(rate)
            }
        }
        for key in metadata.keys.sorted() where key.hasPrefix(Key.learningRate + ".") {
            let index = Int(key.dropFirst(Key.learningRate.count + 1))
            guard let index, index > 0, index < learningRates.count else {
                throw CheckpointError.invalidState(url, name: key, reason: "it is not the rate of a group after "
                                                   + "\(Key.learningRate) and the groups before it")
            }
        }
        scheduleStep = try value(Key.scheduleStep, { Int($0).flatMap { $0 >= 0 ? $0 : nil } }, "a non-negative integer")
        loaderState = try value(Key.loader, { UInt64($0) }, word)
        scopeState = try value(Key.scope, { UInt64($0) }, word)
        for key in metadata.keys.sorted() where key.hasPrefix(Key.schedulePrefix) && key != Key.scheduleStep {
            scheduleValues[String(key.dropFirst(Key.schedulePrefix.count))] = try value(key, { Scalar($0) }, "a number")
        }
        for key in metadata.keys.sorted() where key.hasPrefix(Key.generatorPrefix) {
            generatorStates[String(key.dropFirst(Key.generatorPrefix.count))] = try value(key, { UInt64($0) }, word)
        }
    }

    /// The metadata strings that hold this state.
    var metadata: [String: String] {
        var result = [Key.format: "pt"]
        result[Key.epoch] = epoch.map(String.init)
        for (index, rate) in learningRates.enumerated() { result[Key.learningRate(ofGroup: index)] = "\(rate)" }
        result[Key.scheduleStep] = scheduleStep.map(String.init)
        result[Key.loader] = loaderState.map(String.init)
        result[Key.scope] = scopeState.map(String.init)
        for (name, value) in scheduleValues { result[Key.schedulePrefix + name] = "\(value)" }
        for (name, state) in generatorStates { result[Key.generator(name)] = String(state) }
        return result
    }
}

/// The metadata keys of a ``TrainingState``.
enum TrainingStateKey {
    static let format = "format"
    static let epoch = "epoch"
    static let learningRate = "optimizer.learning_rate"
    /// The key of group `index`'s rate: ``learningRate`` for the first, as in files saved before groups.
    static func learningRate(ofGroup index: Int) -> String { index == 0 ? learningRate : "\(learningRate).\(index)" }
    static let scheduleStep = "schedule.step"
    static let schedulePrefix = "schedule."
    static let loader = "rng.loader"
    static let scope = "rng.scope"
    static let generatorPrefix = "rng.module."
    static func generator(_ name: String) -> String { generatorPrefix + name }
}
