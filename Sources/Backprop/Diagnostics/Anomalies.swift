import Runtime
import Synchronization

/// The first op that made a NaN or an infinity inside ``detectingAnomalies(_:)``: in its
/// forward value, or in a gradient its VJP returned.
public struct NumericalAnomaly: Error, CustomStringConvertible, Sendable {
    /// The pass in which the non-finite number appeared.
    public enum Phase: String, Sendable {
        case forward, backward
    }

    /// The op's name, as recorded (`log`, `matmul`, `divide`, …).
    public let op: String
    /// Whether the forward value or a backward gradient was not finite.
    public let phase: Phase
    /// The shapes of the op's inputs, in order.
    public let inputShapes: [[Int]]
    /// The shape of the op's result.
    public let outputShape: [Int]
    /// For a backward anomaly, the input whose gradient was not finite.
    public let input: Int?
    /// The user's source file and line where the op was recorded: the first stack frame outside
    /// Backprop and BackpropNN. Empty and 0 when the op was recorded outside the scope, or the
    /// binary carries no debug information.
    public let file: String
    public let line: Int
    /// For a backward anomaly, where the `backward()` (or `gradients(of:wrt:)`) call was made.
    public let backwardCall: (file: String, line: Int)?

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : "an unknown line (recorded outside detectingAnomalies)"
        let shapes = "inputs " + inputShapes.map(describe).joined(separator: ", ") + " → output \(describe(outputShape))"
        switch phase {
        case .forward:
            return "NumericalAnomaly: '\(op)' (\(shapes)) computed a non-finite value in the forward pass, at \(place)"
        case .backward:
            let call = backwardCall.map { " during the backward pass called at \($0.file):\($0.line)" } ?? ""
            return "NumericalAnomaly: '\(op)' (\(shapes)) returned a non-finite gradient for input \(input ?? 0)"
                + "\(call); the op was recorded at \(place)"
        }
    }
}

/// Runs `body` with every recorded op checked for NaN and infinity, in its forward value and in
/// the gradients its VJP returns, and throws the first anomaly once `body` returns.
///
/// The check is scoped to the current task or thread, like ``withoutGradients(_:)``, and costs
/// nothing outside it. Inside, each recorded op keeps a backtrace, so that an anomaly names the
/// user's line that recorded the op; run the forward pass and `backward()` both inside.
/// Ops on constants (nothing requires a gradient) are not recorded and not checked: a NaN that
/// such an op makes is reported at the first recorded op it reaches.
///
/// - Throws: a ``NumericalAnomaly`` for the first op whose result or input gradient was not
///   finite, or the error `body` threw.
public func detectingAnomalies<R>(_ body: () throws -> R) throws -> R {
    let detector = AnomalyDetector()
    var mode = GradientMode.current
    mode.detectsAnomalies = true
    let result = try GradientMode.$anomalies.withValue(detector) {
        try GradientMode.$current.withValue(mode, operation: body)
    }
    if let anomaly = detector.first { throw anomaly }
    return result
}

/// Collects the first anomaly in a ``detectingAnomalies(_:)`` scope.
final class AnomalyDetector: Sendable {
    private let found = Mutex<NumericalAnomaly?>(nil)

    /// The first anomaly reported, if any.
    var first: NumericalAnomaly? { found.withLock { $0 } }

    /// Notes where a just-recorded op was recorded, and reports it if its value is not finite.
    func checkForward<S: TensorScalar>(_ node: Variable<S>) {
        node.madeAnnotations.recordedAt = CallSite.capture()
        guard first == nil, !node.value.isFinite else { return }
        report(node, phase: .forward, input: nil, backwardCall: nil)
    }

    /// Reports `node` if a gradient its VJP returned is not finite.
    func checkBackward<S: TensorScalar>(_ node: Variable<S>, gradients: [Variable<S>?], backwardCall: Backtrace?) {
        guard first == nil, let bad = gradients.firstIndex(where: { $0.map { !$0.value.isFinite } ?? false }) else { return }
        report(node, phase: .backward, input: bad, backwardCall: backwardCall)
    }

    private func report<S: TensorScalar>(_ node: Variable<S>, phase: NumericalAnomaly.Phase, input: Int?,
                                         backwardCall: Backtrace?) {
        let recorded = CallSite.userLocation(in: node.annotations?.recordedAt)
        let call = backwardCall.flatMap { CallSite.userLocation(in: $0) }
        let anomaly = NumericalAnomaly(
            op: node.op ?? "leaf", phase: phase, inputShapes: node.inputs.map(\.shape), outputShape: node.shape,
            input: input, file: recorded?.file ?? "", line: recorded?.line ?? 0,
            backwardCall: call.map { ($0.file, $0.line) })
        found.withLock { if $0 == nil { $0 = anomaly } }
    }
}

extension Tensor where Scalar: TensorScalar {
    /// Whether every element is finite: neither NaN nor ±∞.
    public var isFinite: Bool { withBuffer { $0.allSatisfy(\.isFinite) } }
}
