// The check that makes value-dependent control flow visible: two tracing calls of the same
// input shapes must run the same ops and make the same constants. A body that branches on a
// value, or computes a tensor from a value outside the ops, does neither reliably, and a replay
// would silently repeat the first call's choice.

enum TraceComparison {
    /// Stops with a message unless the forward passes of `latest` and `previous` agree.
    static func checkForward<Scalar: TensorScalar>(_ latest: Tracer<Scalar>, against previous: Tracer<Scalar>) {
        compare(latest, previous, steps: latest.forwardCount, previousSteps: previous.forwardCount,
                constants: latest.forwardConstantCount, previousConstants: previous.forwardConstantCount)
    }

    /// Stops with a message unless `latest` and `previous` agree: on both passes if both traced
    /// their backward sweep, else on the forward pass.
    static func check<Scalar: TensorScalar>(_ latest: Tracer<Scalar>, against previous: Tracer<Scalar>) {
        let both = latest.steps.count > latest.forwardCount && previous.steps.count > previous.forwardCount
        guard both else { return checkForward(latest, against: previous) }
        compare(latest, previous, steps: latest.steps.count, previousSteps: previous.steps.count,
                constants: latest.constants.count, previousConstants: previous.constants.count)
    }

    private static func compare<Scalar: TensorScalar>(_ latest: Tracer<Scalar>, _ previous: Tracer<Scalar>,
                                                      steps: Int, previousSteps: Int,
                                                      constants: Int, previousConstants: Int) {
        let advice = "the body's control flow depends on a value, which compile freezes at the first trace; "
            + "run it eagerly, or make the choice outside the compiled function"
        for i in 0..<min(steps, previousSteps) where latest.signature[i] != previous.signature[i] {
            programmerError("compile: two tracing calls of the same input shapes differ at op \(i): "
                            + "'\(previous.signature[i])', then '\(latest.signature[i])'; \(advice)")
        }
        if steps != previousSteps {
            programmerError("compile: two tracing calls of the same input shapes ran \(previousSteps) and \(steps) ops; \(advice)")
        }
        let constantAdvice = "the body computes it from a value (through `.value` or a Tensor operation), and a replay "
            + "would reuse the first call's; compute it with Variable ops, or with Variable(computing:) if it is random"
        if constants != previousConstants {
            programmerError("compile: two tracing calls of the same input shapes made \(previousConstants) and "
                            + "\(constants) constants; \(constantAdvice)")
        }
        for i in 0..<constants where !identical(latest.constants[i], previous.constants[i]) {
            programmerError("compile: constant \(i) of shape \(describe(latest.constants[i].shape)) differs between "
                            + "two tracing calls of the same input shapes; \(constantAdvice)")
        }
        // Gathers' positions, compared in full once both traces have them all (index-tensor inputs, such as
        // labels, are constants of a trace).
        let indexCount = min(latest.indexConstants.count, previous.indexConstants.count)
        if let i = (0..<indexCount).first(where: { latest.indexConstants[$0].indices != previous.indexConstants[$0].indices }) {
            programmerError("compile: the indices of gather \(i) differ between two tracing calls of the same input "
                            + "shapes (labels, or positions found from a value); a replay would reuse the first call's: "
                            + "pass class targets as a tensor input (one-hot), or call the function eagerly")
        }
    }

    /// Whether two tensors hold the same shape and numbers, NaN matching NaN.
    private static func identical<Scalar: TensorScalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
}
