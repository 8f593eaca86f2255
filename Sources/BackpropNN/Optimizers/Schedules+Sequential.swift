import Backprop

/// Runs schedules one after another, switching at each milestone: PyTorch's `SequentialLR`.
///
/// Up to the first milestone the first schedule drives the rate; from
/// milestone mᵢ the (i+1)-th does, from its own step 0, so at step t it is at
/// step t − mᵢ. Make the schedules on the same optimizer first: each takes the
/// optimizer's initial rate as its base, whichever was made last. Warm-up then
/// cosine annealing:
///
///     let warmup = LinearWarmup(optimizer: sgd, warmupSteps: 5, startFactor: 0.1)
///     let cosine = CosineAnnealingLR(optimizer: sgd, maximumSteps: 15)
///     let schedule = SequentialLR(optimizer: sgd, schedules: [warmup, cosine], milestones: [5])
///
/// Step only the sequence, never the schedules in it.
public final class SequentialLR<Scalar: TensorScalar>: LearningRateSchedule<Scalar> {
    /// The schedules, in the order they run.
    public let schedules: [LearningRateSchedule<Scalar>]
    /// The steps at which each schedule after the first takes over, ascending.
    public let milestones: [Int]

    /// Creates a sequence of `schedules` on `optimizer`, and sets its rate to the first schedule's at step 0.
    ///
    /// - Parameters:
    ///   - optimizer: the optimizer every schedule drives.
    ///   - schedules: at least one schedule with a closed form (not ``ReduceLROnPlateau``).
    ///   - milestones: one step fewer than schedules, ascending and non-negative.
    public init(optimizer: any Optimizer<Scalar>, schedules: [LearningRateSchedule<Scalar>], milestones: [Int]) {
        require(!schedules.isEmpty, "SequentialLR: schedules must not be empty")
        require(milestones.count == schedules.count - 1,
                "SequentialLR: \(schedules.count) schedules need \(schedules.count - 1) milestones, but got \(milestones)")
        require(milestones.allSatisfy { $0 >= 0 } && milestones == milestones.sorted(),
                "SequentialLR: milestones must be ascending and non-negative, but are \(milestones)")
        for (index, schedule) in schedules.enumerated() {
            require(schedule.optimizer === optimizer, "SequentialLR: schedule \(index) drives another optimizer")
            require(schedule.hasClosedForm, "SequentialLR: schedule \(index), \(type(of: schedule)), has no closed form")
        }
        (self.schedules, self.milestones) = (schedules, milestones)
        super.init(optimizer: optimizer) { step, group in
            let (index, local) = Self.locate(step, milestones)
            return schedules[index].learningRate(atStep: local, group: group)
        }
        schedules[0].currentStep = 0
    }

    /// The schedule running at `step`, and its own step there.
    private static func locate(_ step: Int, _ milestones: [Int]) -> (index: Int, step: Int) {
        let index = milestones.count { $0 <= step }
        return (index, index == 0 ? step : step - milestones[index - 1])
    }

    /// Moves to step `step`, and the schedule running there to its own step.
    override func restore(step: Int) {
        let (index, local) = Self.locate(step, milestones)
        schedules[index].currentStep = local
        super.restore(step: step)
    }
}
