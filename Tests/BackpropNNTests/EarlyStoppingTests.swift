import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// The bit patterns of every parameter and buffer of `model`.
private func weightBits(_ model: some Module<Double>) -> [[UInt64]] {
    (model.parameters().map(\.value) + model.namedBuffers().map(\.buffer.value)).map { $0.scalars.map(\.bitPattern) }
}

/// Feeds `losses` to `stopping`, one per epoch, and returns `shouldStop` after each.
private func feed(_ stopping: EarlyStopping<Double>, _ losses: [Double]) -> [Bool] {
    let model = Linear<Double>(inputSize: 1, outputSize: 1)
    return losses.map { loss in
        stopping.update(validationLoss: loss, model: model)
        return stopping.shouldStop
    }
}

@Suite("Early stopping")
struct EarlyStoppingTests {
    @Test func stopsAfterExactlyPatienceEpochsWithoutImprovement() {
        let stopping = EarlyStopping<Double>(patience: 3)
        // Best at epoch 2; epochs 3, 4 and 5 do not improve (4.0 equals the best: no improvement).
        #expect(feed(stopping, [5, 4, 4.5, 4, 4.25]) == [false, false, false, false, true])
        #expect(stopping.bestLoss == 4 && stopping.bestEpoch == 2)
        #expect(stopping.epochsWithoutImprovement == 3 && stopping.epochCount == 5)
        // An improvement resets the count.
        let resetting = EarlyStopping<Double>(patience: 2)
        #expect(feed(resetting, [3, 3.5, 2, 2.5, 2.5, 1]) == [false, false, false, false, true, false])
        #expect(resetting.bestEpoch == 6 && resetting.epochsWithoutImprovement == 0)
    }

    @Test func defaultsAreLightningsAndPatienceZeroStopsAtTheFirstEpochThatDoesNotImprove() {
        let stopping = EarlyStopping<Double>()
        #expect(stopping.patience == 3 && stopping.minDelta == 0 && stopping.bestLoss == nil && !stopping.shouldStop)
        #expect(feed(EarlyStopping(patience: 0), [3, 2, 2]) == [false, false, true])
        #expect(feed(EarlyStopping(patience: 1), [3, 2, 2]) == [false, false, true])
    }

    @Test func minDeltaIsTheDecreaseAnImprovementMustExceed() {
        // Improvement ⇔ loss < best − 0.5, with values exact in binary.
        let stopping = EarlyStopping<Double>(patience: 10, minDelta: 0.5)
        _ = feed(stopping, [4])
        _ = feed(stopping, [3.5])          // exactly best − minDelta: not an improvement
        #expect(stopping.bestLoss == 4 && stopping.epochsWithoutImprovement == 1)
        _ = feed(stopping, [3.75])         // lower than the best, but not by more than minDelta
        #expect(stopping.bestLoss == 4 && stopping.epochsWithoutImprovement == 2)
        _ = feed(stopping, [3.25])         // 0.75 below: an improvement
        #expect(stopping.bestLoss == 3.25 && stopping.bestEpoch == 4 && stopping.epochsWithoutImprovement == 0)
        // The same losses without minDelta improve every time.
        let strict = EarlyStopping<Double>(patience: 10)
        _ = feed(strict, [4, 3.5, 3.25])
        #expect(strict.bestEpoch == 3)
    }

    @Test func aNonFiniteLossStopsAtOnceAndIsNeverTheBest() {
        let stopping = EarlyStopping<Double>(patience: 5)
        #expect(feed(stopping, [2, .nan]) == [false, true])
        #expect(stopping.bestLoss == 2 && stopping.epochsWithoutImprovement == 1)
        #expect(feed(stopping, [1]) == [false])
        #expect(feed(stopping, [.infinity]) == [true])
        #expect(stopping.bestLoss == 1 && stopping.bestEpoch == 3)
        let fromTheStart = EarlyStopping<Double>(patience: 5)
        #expect(feed(fromTheStart, [.nan]) == [true])
        #expect(fromTheStart.bestLoss == nil && fromTheStart.bestEpoch == nil)
    }

    @Test func restoresTheWeightsOfTheBestEpochBitForBit() {
        // A model with BatchNorm, trained for five epochs; the losses fed make epoch 3 the best.
        let model = withRandomSeed(1) {
            Sequential<Double>(Linear(inputSize: 2, outputSize: 4), BatchNorm1d(featureCount: 4), Linear(inputSize: 4, outputSize: 1))
        }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1, momentum: 0.9)
        let x = Tensor<Double>.uniform([32, 2], low: -1, high: 1, seed: 2)
        let y = x.sum(axis: 1, keepDims: true)
        let stopping = EarlyStopping<Double>(patience: 2)
        var snapshots: [[[UInt64]]] = []
        for loss in [3.0, 2, 1, 1.5, 1.25] {
            optimizer.zeroGrad()
            meanSquaredError(predicted: model(Variable(x)), expected: Variable(y)).backward()
            optimizer.step()
            snapshots.append(weightBits(model))
            stopping.update(validationLoss: loss, model: model)
        }
        #expect(stopping.shouldStop && stopping.bestEpoch == 3)
        #expect(weightBits(model) != snapshots[2])
        stopping.restoreBestWeights(into: model)
        #expect(weightBits(model) == snapshots[2])

        // Into a second model of the same structure, as PyTorch's load_state_dict would.
        let copy = withRandomSeed(9) {
            Sequential<Double>(Linear(inputSize: 2, outputSize: 4), BatchNorm1d(featureCount: 4), Linear(inputSize: 4, outputSize: 1))
        }
        stopping.restoreBestWeights(into: copy)
        #expect(weightBits(copy) == snapshots[2])
        // The kept copy is the best epoch's: changing the model in place leaves it as it was.
        let weight = model.parameters()[0]
        weight.value.update(with: .zeros(weight.shape)) { w, _ in w += 1 }
        stopping.restoreBestWeights(into: model)
        #expect(weightBits(model) == snapshots[2])
    }
}

@Suite("Early stopping: bad arguments")
struct EarlyStoppingArgumentTests {
    @Test func negativePatience() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = EarlyStopping<Double>(patience: -1)
        }
        expectMessage(result, "EarlyStopping: patience must be non-negative, but is -1")
    }

    @Test func negativeOrNaNMinDelta() async {
        let negative = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = EarlyStopping<Double>(minDelta: -0.1)
        }
        expectMessage(negative, "EarlyStopping: minDelta must be non-negative and finite, but is -0.1")
        let notANumber = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = EarlyStopping<Double>(minDelta: .nan)
        }
        expectMessage(notANumber, "EarlyStopping: minDelta must be non-negative and finite, but is nan")
    }

    @Test func restoringBeforeAnyBestEpoch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            EarlyStopping<Double>().restoreBestWeights(into: Linear<Double>(inputSize: 1, outputSize: 1))
        }
        expectMessage(result, "EarlyStopping.restoreBestWeights: no epoch has a finite validation loss yet")
    }

    @Test func restoringIntoAModelOfAnotherShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let stopping = EarlyStopping<Double>()
            stopping.update(validationLoss: 1, model: Linear<Double>(inputSize: 2, outputSize: 1))
            stopping.restoreBestWeights(into: Linear<Double>(inputSize: 3, outputSize: 1))
        }
        expectMessage(result, "EarlyStopping.restoreBestWeights: the model's parameters [(\"weight\", [1, 3]), (\"bias\", [1])] "
                      + "are not those kept, [(\"weight\", [1, 2]), (\"bias\", [1])]")
    }
}
