/// Whether operations record onto the tape, and whether they are checked for anomalies, per thread or task.
///
/// A plain pair of flags, read once by every recorded op: a trivial value is copied out of
/// task-local storage without reference counting. The collector of ``detectingAnomalies(_:)``
/// lives in a task-local of its own, read only when `detectsAnomalies` says it is there.
struct GradientMode: Sendable {
    /// Whether operations whose inputs require a gradient are recorded.
    var isRecording = true
    /// Whether ``anomalies`` holds a collector: inside ``detectingAnomalies(_:)``.
    var detectsAnomalies = false
    /// Whether ``tracer`` holds a trace being recorded: while ``compile(_:)`` traces a function.
    var isTracing = false

    /// On by default, unchecked. A task-local value: changing it affects only the current
    /// task or thread and the work it starts, never the whole process.
    @TaskLocal static var current = GradientMode()

    /// The collector of the innermost ``detectingAnomalies(_:)`` scope.
    @TaskLocal static var anomalies: AnomalyDetector?

    /// The trace that the first calls of a compiled function record, read only when `isTracing` says it is there.
    @TaskLocal static var tracer: AnyTracer?

    /// Whether operations on the current thread or task are being recorded.
    static var isRecording: Bool { current.isRecording }

    /// The trace being recorded for `Scalar`, inside a compiled function's tracing call; nil elsewhere.
    func tracer<Scalar: TensorScalar>(of _: Scalar.Type) -> Tracer<Scalar>? {
        isTracing ? Self.tracer as? Tracer<Scalar> : nil
    }

    /// The collector of anomalies, inside a ``detectingAnomalies(_:)`` scope; nil elsewhere.
    var anomalyDetector: AnomalyDetector? { detectsAnomalies ? Self.anomalies : nil }

    /// Runs `body` with recording on or off, keeping the rest of the mode.
    static func withRecording<R>(_ isRecording: Bool, _ body: () throws -> R) rethrows -> R {
        var mode = current
        mode.isRecording = isRecording
        return try $current.withValue(mode, operation: body)
    }
}

/// Runs `body` with gradient recording off for the current thread or task only.
///
/// Operations inside make plain constants and allocate nothing for the graph:
/// use it for evaluation and for parameter updates.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.withRecording(false, body)
}

/// Runs `body` with gradient recording off for the current task only.
public func withoutGradients<R>(_ body: () async throws -> R) async rethrows -> R {
    var mode = GradientMode.current
    mode.isRecording = false
    return try await GradientMode.$current.withValue(mode, operation: body)
}

/// Whether operations on the current thread or task are being recorded.
public var isRecordingGradients: Bool { GradientMode.isRecording }
