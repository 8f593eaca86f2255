/// Whether operations record onto the tape, per thread or task.
enum GradientMode {
    /// On by default. A task-local value: changing it affects only the current
    /// task or thread and the work it starts, never the whole process.
    @TaskLocal static var isRecording = true
}

/// Runs `body` with gradient recording off for the current thread or task only.
///
/// Operations inside make plain constants and allocate nothing for the graph:
/// use it for evaluation and for parameter updates.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(false, operation: body)
}

/// Runs `body` with gradient recording off for the current task only.
public func withoutGradients<R>(_ body: () async throws -> R) async rethrows -> R {
    try await GradientMode.$isRecording.withValue(false, operation: body)
}

/// Whether operations on the current thread or task are being recorded.
public var isRecordingGradients: Bool { GradientMode.isRecording }
