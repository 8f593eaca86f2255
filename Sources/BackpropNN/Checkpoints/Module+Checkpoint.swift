import Backprop
import Foundation

extension Module {
    /// Saves every parameter and buffer, and optionally the state of training, to one safetensors file.
    ///
    /// Each tensor is stored under its dotted name from ``namedParameters()``
    /// or ``namedBuffers()`` (`0.weight`, `norm.running_mean`), as PyTorch's
    /// `state_dict()` names it. With an optimizer, its step count is stored as
    /// the 0-d tensor `optimizer.step`, and each per-parameter tensor as
    /// `optimizer.<parameter name>.<key>` (`optimizer.0.weight.exp_avg`).
    ///
    /// The rest goes into the file's `__metadata__` strings: the state of each of
    /// the module's generators (``namedGenerators()``, Dropout's), the learning rate
    /// of each of the optimizer's parameter groups, the schedule's step, the loader's shuffle state, the
    /// generator of the ``withRandomSeed(_:_:)`` scope that `save` runs in, if
    /// any, and the epoch. Saved between epochs, this is everything that
    /// ``load(from:optimizer:schedule:loader:strict:)`` needs to resume the run
    /// bit for bit. The write is atomic, as ``saveSafetensors(_:to:metadata:)``'s is.
    ///
    /// - Parameters:
    ///   - url: The file to create or replace.
    ///   - optimizer: An optimizer over this module's parameters whose state to save too.
    ///   - schedule: A learning-rate schedule whose step to save.
    ///   - loader: A data loader whose shuffle state to save.
    ///   - epoch: The number of epochs done, which `load` returns.
    /// - Throws: ``CheckpointError/invalidOptimizerState(_:reason:)`` if the optimizer updates a
    ///   variable that is not a parameter of this module; ``CheckpointError/nameClash(_:name:)`` if
    ///   two tensors would get one name; a ``SafetensorsError`` if the file cannot be written.
    public func save(to url: URL, optimizer: (any Optimizer<Scalar>)? = nil, schedule: LearningRateSchedule<Scalar>? = nil,
                     loader: (any ResumableLoader)? = nil, epoch: Int? = nil) throws {
        var tensors: [String: Tensor<Scalar>] = [:]
        func add(_ name: String, _ tensor: Tensor<Scalar>) throws {
            guard tensors.updateValue(tensor, forKey: name) == nil else { throw CheckpointError.nameClash(url, name: name) }
        }
        for (name, parameter) in namedParameters() { try add(name, parameter.value) }
        for (name, buffer) in namedBuffers() { try add(name, buffer.value) }
        var training = TrainingState<Scalar>()
        if let optimizer {
            let state = optimizer.state()
            let prefixes = try optimizerPrefixes(optimizer, url: url)
            guard state.perParameter.isEmpty || state.perParameter.count == prefixes.count else {
                throw CheckpointError.invalidOptimizerState(url, reason: "the optimizer's state has \(state.perParameter.count) "
                                                                + "parameter entries for \(prefixes.count) parameters")
            }
            try add(optimizerStepName, Tensor(Scalar(state.step)))
            for (prefix, entries) in zip(prefixes, state.perParameter) {
                for (key, tensor) in entries { try add(prefix + key, tensor) }
            }
            training.learningRates = optimizer.learningRates
        }
        for (name, generator) in namedGenerators() { training.generatorStates[name] = generator.state }
        if let state = schedule?.state() {
            training.scheduleStep = state.step
            training.scheduleValues = state.values
        }
        training.loaderState = loader?.shuffleState
        training.scopeState = RandomScope.generatorState
        training.epoch = epoch
        try saveSafetensors(tensors, to: url, metadata: training.metadata)
    }

    /// Loads every parameter and buffer, and optionally the state of training, from a safetensors file.
    ///
    /// Tensors are matched by dotted name, so a checkpoint saved by
    /// ``save(to:optimizer:schedule:loader:epoch:)``, or PyTorch's `state_dict()` written with
    /// `safetensors.torch.save_file`, loads into a module of the same
    /// structure. F16, BF16, F32, F64, I32 and I64 tensors convert to `Scalar`.
    ///
    /// The module's generators (``namedGenerators()``) take their saved states,
    /// and so do the optimizer (with each group's learning rate), the schedule and the
    /// loader, if given. Called inside a ``withRandomSeed(_:_:)`` scope, `load`
    /// also sets that scope's generator to the state saved from the scope `save`
    /// ran in. Loaded into objects built as the saved ones were (with any seeds),
    /// training then goes on exactly as it would have without the interruption.
    ///
    /// Everything is checked before anything changes: if loading throws, the
    /// module, the optimizer, the schedule, the loader and the scope are exactly as they were.
    ///
    /// - Parameters:
    ///   - url: The file to read.
    ///   - optimizer: An optimizer over this module's parameters whose state to restore too.
    ///     Without one, the file's `optimizer.…` tensors are ignored.
    ///   - schedule: A learning-rate schedule whose step to restore; it then sets its optimizer's rate.
    ///   - loader: A data loader whose shuffle state to restore.
    ///   - strict: Whether every parameter and buffer must be in the file, every tensor
    ///     of the file must belong to the module (or the optimizer), and the file must hold
    ///     the state of the schedule and the loader, if given, and of every generator of the
    ///     module (unless it holds no generator state at all, as older files and PyTorch's
    ///     hold none). When false, as with PyTorch's `strict=False`, whatever is missing keeps
    ///     its value and extra tensors are ignored.
    /// - Returns: The epoch given to `save`, or nil if it was not given.
    /// - Throws: ``CheckpointError/shapeMismatch(_:name:expected:found:)`` naming the tensor and
    ///   both shapes; ``CheckpointError/missingTensors(_:names:)``,
    ///   ``CheckpointError/unexpectedTensors(_:names:)`` and
    ///   ``CheckpointError/missingState(_:names:)`` when strict;
    ///   ``CheckpointError/invalidOptimizerState(_:reason:)`` if the optimizer's state is absent or
    ///   does not fit; ``CheckpointError/invalidState(_:name:reason:)`` for a metadata entry that
    ///   does not parse, or for learning rates that are not one per parameter group of the optimizer;
    ///   a ``SafetensorsError`` if the file is missing or malformed.
    @discardableResult
    public func load(from url: URL, optimizer: (any Optimizer<Scalar>)? = nil, schedule: LearningRateSchedule<Scalar>? = nil,
                     loader: (any ResumableLoader)? = nil, strict: Bool = true) throws -> Int? {
        let file = try SafetensorsFile(contentsOf: url)
        let tensors: [String: Tensor<Scalar>] = try file.tensors()
        let training = try TrainingState<Scalar>(metadata: file.metadata, url: url)
        var used: Set<String> = []
        var missing: [String] = []
        func take(_ name: String, shapedLike current: Tensor<Scalar>) throws -> Tensor<Scalar>? {
            guard let tensor = tensors[name] else {
                missing.append(name)
                return nil
            }
            guard tensor.shape == current.shape else {
                throw CheckpointError.shapeMismatch(url, name: name, expected: current.shape, found: tensor.shape)
            }
            used.insert(name)
            return tensor
        }
        let parameters = try namedParameters().map { ($0.parameter, try take($0.name, shapedLike: $0.parameter.value)) }
        let buffers = try namedBuffers().map { ($0.buffer, try take($0.name, shapedLike: $0.buffer.value)) }
        let state = try optimizer.map { try optimizerState(for: $0, from: tensors, used: &used, url: url) }
        let unexpected = tensors.keys.filter { name in
            !used.contains(name) && (optimizer != nil || !name.hasPrefix(optimizerPrefix))
        }
        let generators = namedGenerators().map { ($0.generator, training.generatorStates[$0.name]) }
        if strict {
            guard missing.isEmpty else { throw CheckpointError.missingTensors(url, names: missing) }
            guard unexpected.isEmpty else { throw CheckpointError.unexpectedTensors(url, names: unexpected.sorted()) }
            let missingState = missingTrainingState(training, schedule: schedule, loader: loader)
            guard missingState.isEmpty else { throw CheckpointError.missingState(url, names: missingState) }
        }
        let scheduleState = training.scheduleStep.map { ScheduleState(step: $0, values: training.scheduleValues) }
        if let schedule, let scheduleState {
            do {
                try schedule.check(scheduleState)     // before anything changes
            } catch {
                throw CheckpointError.invalidState(url, name: TrainingStateKey.scheduleStep, reason: "\(error)")
            }
        }
        if let optimizer, !training.learningRates.isEmpty {
            let rates = training.learningRates
            guard rates.count == optimizer.groups.count, rates.allSatisfy({ $0 >= 0 }) else {
                throw CheckpointError.invalidState(url, name: TrainingStateKey.learningRate, reason: "the file holds "
                    + "the learning rates \(rates), but the optimizer needs \(optimizer.groups.count), each non-negative")
            }
        }
        if let optimizer, let state {
            do {
                try optimizer.load(state)         // first: it may still refuse, and then changes nothing
            } catch {
                throw CheckpointError.invalidOptimizerState(url, reason: "\(error)")
            }
        }
        for case let (parameter, value?) in parameters { parameter.value = value }
        for case let (buffer, value?) in buffers { buffer.value = value }
        for case let (generator, value?) in generators { generator.state = value }
        if let schedule, let scheduleState { try? schedule.load(scheduleState) }   // checked above
        if let optimizer, !training.learningRates.isEmpty { optimizer.learningRates = training.learningRates }
        if let loader, let value = training.loaderState { loader.shuffleState = value }
        if let value = training.scopeState { RandomScope.restoreGeneratorState(value) }
        return training.epoch
    }

    /// The metadata keys of the state that a strict load needs but `training` lacks: the schedule's
    /// and the loader's, if given, and each generator's, if the file holds any generator's.
    private func missingTrainingState(_ training: TrainingState<Scalar>, schedule: LearningRateSchedule<Scalar>?,
                                      loader: (any ResumableLoader)?) -> [String] {
        typealias Key = TrainingStateKey
        var names: [String] = []
        if schedule != nil && training.scheduleStep == nil { names.append(Key.scheduleStep) }
        if loader != nil && training.loaderState == nil { names.append(Key.loader) }
        if !training.generatorStates.isEmpty {
            names += namedGenerators().map(\.name).filter { training.generatorStates[$0] == nil }.map(Key.generator)
        }
        return names
    }

    /// The name prefix, `optimizer.<parameter name>.`, of each of the optimizer's parameters.
    private func optimizerPrefixes(_ optimizer: any Optimizer<Scalar>, url: URL) throws -> [String] {
        let names = Dictionary(namedParameters().map { (ObjectIdentifier($0.parameter), $0.name) }) { first, _ in first }
        return try optimizer.parameters.enumerated().map { index, parameter in
            guard let name = names[ObjectIdentifier(parameter)] else {
                throw CheckpointError.invalidOptimizerState(url, reason: "the optimizer's parameter \(index) "
                                                                + "is not a parameter of the module")
            }
            return optimizerPrefix + name + "."
        }
    }

    /// The optimizer state stored in `tensors`, one dictionary per parameter; marks the tensors it takes as used.
    private func optimizerState(for optimizer: any Optimizer<Scalar>, from tensors: [String: Tensor<Scalar>],
                                used: inout Set<String>, url: URL) throws -> OptimizerState<Scalar> {
        guard let stepTensor = tensors[optimizerStepName] else {
            throw CheckpointError.invalidOptimizerState(url, reason: "the file holds no \(optimizerStepName)")
        }
        guard stepTensor.shape == [], let step = stepTensor.scalars.first.flatMap({ Int(exactly: $0) }), step >= 0 else {
            throw CheckpointError.invalidOptimizerState(url, reason: "\(optimizerStepName) is not a 0-d tensor "
                                                            + "holding a non-negative integer")
        }
        used.insert(optimizerStepName)
        let perParameter = try optimizerPrefixes(optimizer, url: url).map { prefix in
            var entries: [String: Tensor<Scalar>] = [:]
            for (name, tensor) in tensors where name.hasPrefix(prefix) {
                entries[String(name.dropFirst(prefix.count))] = tensor
                used.insert(name)
            }
            return entries
        }
        return OptimizerState(step: step, perParameter: perParameter)
    }
}

/// The prefix of every optimizer tensor's name in a checkpoint.
private let optimizerPrefix = "optimizer."

/// The name of the optimizer's step count in a checkpoint.
private let optimizerStepName = "optimizer.step"
