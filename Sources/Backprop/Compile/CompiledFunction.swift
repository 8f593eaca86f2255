// `compile`: a function of tensors whose graph has the same shape at every call (a training
// step's loss, a residual, an objective), traced on its first calls and replayed afterwards as
// a flat list of kernels. See Docs/Concepts.md, "Compiled functions".

/// Compiles `body`, a function of one input that returns a variable (a loss built from a model).
///
/// The first two calls for a set of input shapes run `body` eagerly and record its ops, and
/// those of the backward sweep of its result; later calls replay the recorded kernels on the new
/// inputs and the parameters' current values, with bit-identical results. See ``CompiledFunction``.
public func compile<S: TensorScalar>(_ body: @escaping (Variable<S>) -> Variable<S>) -> CompiledFunction<S> {
    CompiledFunction(inputCount: 1) { (body($0[0]), []) }
}

/// Compiles `body`, a function of two inputs (a batch and its targets) that returns a variable.
public func compile<S: TensorScalar>(_ body: @escaping (Variable<S>, Variable<S>) -> Variable<S>) -> CompiledFunction<S> {
    CompiledFunction(inputCount: 2) { (body($0[0], $0[1]), []) }
}

/// Compiles `body`, a function of `inputCount` inputs, handed over in order, that returns a variable.
public func compile<S: TensorScalar>(inputCount: Int,
                                     _ body: @escaping ([Variable<S>]) -> Variable<S>) -> CompiledFunction<S> {
    CompiledFunction(inputCount: inputCount) { (body($0), []) }
}

/// Compiles `body`, a function of `inputCount` inputs that returns a variable and auxiliary
/// outputs (a batch's logits beside its loss), which ``CompiledFunction/callWithAuxiliary(_:)``
/// returns as tensors: values, not differentiated, as `has_aux` in JAX.
public func compile<S: TensorScalar>(
    inputCount: Int, returningAuxiliary body: @escaping ([Variable<S>]) -> (Variable<S>, [Variable<S>])
) -> CompiledFunction<S> {
    CompiledFunction(inputCount: inputCount, body)
}

/// A function traced on its first calls for each set of input shapes and replayed afterwards.
///
/// Call it with tensors; it returns a variable whose `backward()` replays the traced backward
/// sweep, adding to the parameters' `grad` as eager mode does. Results are bit-identical to
/// calling the body eagerly, for every thread count.
///
/// What is frozen at trace time, as in `jax.jit`: the ops the body runs and their attributes,
/// branches on values, and tensors read through `.value` or computed with `Tensor` operations
/// (constants). What each call reads afresh: the inputs, every variable's current `value`
/// (parameters after an optimizer step), and constants made with ``Variable/init(computing:)``
/// (dropout's masks). The first two calls for a set of shapes are traced and compared: if they
/// ran different ops, or made different constants, the body depends on values in a way a replay
/// would not follow, and the call stops with a message.
///
/// Not replayed (the tracing call stops with a message): ops without a compiled form (custom
/// ops, `max(axis:)`), gradients taken inside the body, gradient hooks, and `createGraph`
/// through a compiled result. A compiled function is for one thread at a time.
public final class CompiledFunction<Scalar: TensorScalar> {
    /// The traces of one set of input shapes (and recording on or off).
    private final class Entry {
        let key: Key
        /// The trace the last tracing call recorded, and the one before, which it must match.
        var latest: Trace<Scalar>?
        var previous: Trace<Scalar>?
        /// The verified, complete trace that calls replay.
        var ready: Trace<Scalar>?
        var lastUse = 0

        init(key: Key) { self.key = key }

        /// Whether calls on `inputs`, with recording on or off, belong here: compared without
        /// making a key, for the steady loop that calls with the same shapes again and again.
        func matches(_ inputs: UnsafeBufferPointer<Tensor<Scalar>>, isRecording: Bool) -> Bool {
            key.isRecording == isRecording && key.shapes.count == inputs.count
                && zip(key.shapes, inputs).allSatisfy { $0 == $1.shape }
        }

        /// Lets go of the results its traces keep for reuse: see ``Trace/releaseResult()``.
        func release() {
            for trace in [latest, previous, ready] { trace?.releaseResult() }
        }
    }

    private struct Key: Hashable {
        let shapes: [[Int]]
        let isRecording: Bool
    }

    private let body: ([Variable<Scalar>]) -> (Variable<Scalar>, [Variable<Scalar>])
    private let inputCount: Int
    /// How many sets of input shapes keep their traces; the least recently used goes first.
    public let cacheSize: Int
    private var entries: [Key: Entry] = [:]
    /// The entry of the last call, checked first.
    private var lastEntry: Entry?
    private var clock = 0

    /// How many calls ran the body eagerly to trace it, and how many replayed a trace.
    public private(set) var tracingCallCount = 0
    public private(set) var replayCount = 0

    /// Compiles `body`, a function of `inputCount` inputs that returns a variable and auxiliary
    /// outputs, keeping the traces of `cacheSize` sets of input shapes.
    public init(inputCount: Int, cacheSize: Int = 8,
                _ body: @escaping ([Variable<Scalar>]) -> (Variable<Scalar>, [Variable<Scalar>])) {
        require(inputCount >= 0, "compile: inputCount \(inputCount) is negative")
        require(cacheSize > 0, "compile: cacheSize \(cacheSize) is not positive")
        self.inputCount = inputCount
        self.cacheSize = cacheSize
        self.body = body
    }

    deinit {
        for entry in entries.values { entry.release() }
    }

    /// Calls the function on `inputs`: traced on the first two calls for their shapes, replayed
    /// afterwards. Calls of one or two inputs take the overloads below, which make no array.
    @_disfavoredOverload
    public func callAsFunction(_ inputs: Tensor<Scalar>...) -> Variable<Scalar> { callWithAuxiliary(inputs).result }

    /// Calls the function of one input on `x`; no array is made for it.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ x: Tensor<Scalar>) -> Variable<Scalar> {
        withUnsafePointer(to: x) { call(UnsafeBufferPointer(start: $0, count: 1)).result }
    }

    /// Calls the function of two inputs on `x` and `y` (a batch and its targets); no array is made for them.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ x: Tensor<Scalar>, _ y: Tensor<Scalar>) -> Variable<Scalar> {
        withUnsafeTemporaryAllocation(of: Tensor<Scalar>.self, capacity: 2) { inputs in
            inputs.initializeElement(at: 0, to: x)
            inputs.initializeElement(at: 1, to: y)
            defer { inputs.deinitialize() }
            return call(UnsafeBufferPointer(inputs)).result
        }
    }

    /// Calls the function on `inputs`, in order.
    public func callAsFunction(_ inputs: [Tensor<Scalar>]) -> Variable<Scalar> { callWithAuxiliary(inputs).result }

    /// Calls the function on `inputs`, in order; returns its result and the values of its auxiliary outputs.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callWithAuxiliary(_ inputs: [Tensor<Scalar>]) -> (result: Variable<Scalar>, auxiliary: [Tensor<Scalar>]) {
        inputs.withUnsafeBufferPointer(call)
    }

    private func call(_ inputs: UnsafeBufferPointer<Tensor<Scalar>>) -> (result: Variable<Scalar>, auxiliary: [Tensor<Scalar>]) {
        require(inputs.count == inputCount, "compile: \(inputs.count) inputs for a function of \(inputCount)")
        let mode = GradientMode.current
        require(!mode.isTracing, "compile: a compiled function was called while another is being traced; "
                + "call the inner function's body directly, and compile the outer one")
        var entry = self.entry(for: inputs, isRecording: mode.isRecording)
        if entry.ready == nil, let latest = entry.latest, latest.isComplete, let previous = entry.previous {
            TraceComparison.check(latest.tracer, against: previous.tracer)
            entry.ready = latest
            entry.previous = nil
        }
        if let ready = entry.ready, !ready.leavesChangedRequiresGrad {
            replayCount += 1
            return replay(ready, inputs)
        }
        if entry.ready != nil {    // a parameter was frozen or unfrozen since the trace: trace anew
            entry.release()
            entry = Entry(key: entry.key)
            entry.lastUse = clock
            entries[entry.key] = entry
            lastEntry = entry
        }
        tracingCallCount += 1
        return traceCall(Array(inputs), into: entry)
    }

    /// The entry for the shapes of `inputs`, made (and the least recently used one dropped) if there is none.
    private func entry(for inputs: UnsafeBufferPointer<Tensor<Scalar>>, isRecording: Bool) -> Entry {
        clock += 1
        if let entry = lastEntry, entry.matches(inputs, isRecording: isRecording) {
            entry.lastUse = clock
            return entry
        }
        let key = Key(shapes: inputs.map(\.shape), isRecording: isRecording)
        if let entry = entries[key] {
            entry.lastUse = clock
            lastEntry = entry
            return entry
        }
        if entries.count >= cacheSize, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            entries.removeValue(forKey: oldest)?.release()
        }
        let entry = Entry(key: key)
        entry.lastUse = clock
        entries[key] = entry
        lastEntry = entry
        return entry
    }

    /// Runs the body eagerly while a tracer records it; the result's backward sweep is traced when it runs.
    private func traceCall(_ inputs: [Tensor<Scalar>], into entry: Entry) -> (result: Variable<Scalar>, auxiliary: [Tensor<Scalar>]) {
        let tracer = Tracer<Scalar>()
        let variables = inputs.map { Variable(value: $0) }
        variables.forEach(tracer.addInput)
        var mode = GradientMode.current
        mode.isTracing = true
        let (output, auxiliary) = GradientMode.$tracer.withValue(tracer) {
            GradientMode.$current.withValue(mode) { body(variables) }
        }
        tracer.endForward()
        if let refusal = tracer.refusal { programmerError("compile: \(refusal)") }
        let trace = Trace(tracer: tracer, output: output, auxiliary: auxiliary,
                          needsBackward: output.requiresGrad && !output.isLeaf)
        let auxiliaryValues = auxiliary.map(\.value)
        if let latest = entry.latest {
            TraceComparison.checkForward(tracer, against: latest.tracer)
            entry.previous = latest
        }
        entry.latest = trace
        guard trace.needsBackward else {
            tracer.releaseTraceVariables()
            return (output, auxiliaryValues)
        }
        let result = Variable(output.value, recordedAs: "compiled", inputs: trace.parameters) { g, _ in
            refuseCreateGraphThroughCompiledResult()
            guard !trace.isComplete else {
                programmerError("compile: the result of a tracing call was backpropagated twice (retainGraph is not replayed)")
            }
            return trace.traceBackward(from: output, seed: g.value)
        }
        return (result, auxiliaryValues)
    }

    /// Replays `trace` on `inputs`.
    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    private func replay(_ trace: Trace<Scalar>,
                        _ inputs: UnsafeBufferPointer<Tensor<Scalar>>) -> (result: Variable<Scalar>, auxiliary: [Tensor<Scalar>]) {
        var values = trace.replayForward(inputs)
        let value = trace.value(at: trace.outputSlot, in: values)
        let auxiliary = trace.auxiliarySlots.map { trace.value(at: $0, in: values) }
        guard trace.needsBackward else {
            trace.recycle(&values)
            return (Variable(value: value), auxiliary)
        }
        return (trace.result(value, values: values), auxiliary)
    }
}

/// Stops with a message when a compiled call's result is backpropagated with `createGraph`.
func refuseCreateGraphThroughCompiledResult() {
    require(!GradientMode.isRecording, "compile: a compiled function's result cannot be differentiated with "
            + "createGraph: true (higher-order gradients); call the function's body uncompiled for those")
}

/// Runs `effect` on the values of `variables` now, and again at the same point of every replay
/// of a compiled function that traced it: for a side effect of a forward pass, such as batch
/// normalisation's update of its running statistics, which a replay would otherwise skip.
public func recordEffect<S: TensorScalar>(reading variables: [Variable<S>], _ effect: @escaping ([Tensor<S>]) -> Void) {
    effect(variables.map(\.value))
    GradientMode.current.tracer(of: S.self)?.recordEffect(reading: variables, effect)
}

extension Variable {
    /// A constant whose value `make` computes: once now, and again at every replay of a compiled
    /// function that made it while tracing, so that a random mask (dropout's) is drawn afresh
    /// at every call, from the same generator and in the same order as eager calls draw it.
    public convenience init(computing make: @escaping () -> Tensor<Scalar>) {
        self.init(value: make())
        GradientMode.current.tracer(of: Scalar.self)?.recordComputed(self, by: make)
    }
}
