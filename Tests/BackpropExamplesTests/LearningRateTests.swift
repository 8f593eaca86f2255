import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct LearningRateTests {
    /// 480 training images and 200 validation images of the bundled digits.
    static let data = Result { () throws -> (training: DigitsData, validation: DigitsData) in
        let (training, validation) = try DigitsData.load().split(testFraction: 0.2, seed: 0)
        return (training.subset(Array(0..<480)), validation.subset(Array(0..<200)))
    }

    @Test func rangeTestSuggestsARateThatTrainsAndATinyOneThatDoesNot() throws {
        let (training, validation) = try Self.data.get()
        let sweep = LearningRates.rangeTest(training: training, batchSize: 32, seed: 1)
        let suggestion = try #require(sweep.suggestion.map(Double.init))
        #expect(sweep.learningRates.count > 90)
        #expect((0.01...2).contains(suggestion), "suggestion \(suggestion)")
        // Three epochs: a thousandth of the suggestion leaves the loss where it started;
        // the suggestion takes it below half of that.
        let tiny = LearningRates.train(learningRate: suggestion / 1000, training: training, validation: validation,
                                       epochs: 3, batchSize: 32, seed: 1)
        let suggested = LearningRates.train(learningRate: suggestion, training: training, validation: validation,
                                            epochs: 3, batchSize: 32, seed: 1)
        #expect(tiny.divergence == nil && suggested.divergence == nil)
        #expect(tiny.epochLosses.count == 4 && tiny.stepLosses.count == 3 * 15)
        #expect(tiny.epochLosses[0] == suggested.epochLosses[0])    // the same initial network
        #expect(abs(tiny.epochLosses[3] - tiny.epochLosses[0]) < 0.01 * tiny.epochLosses[0], "\(tiny.epochLosses)")
        #expect(suggested.epochLosses[3] < suggested.epochLosses[0] / 2, "\(suggested.epochLosses)")
        let (suggestedAccuracy, tinyAccuracy) = (try #require(suggested.validationAccuracy), try #require(tiny.validationAccuracy))
        #expect(suggestedAccuracy > 0.7 && tinyAccuracy < 0.5, "\(suggestedAccuracy), \(tinyAccuracy)")
    }

    @Test func aBlowUpIsCaughtBeforeItsUpdateWithAFinitePrefix() throws {
        let (training, validation) = try Self.data.get()
        let run = LearningRates.train(learningRate: 20, training: training, validation: validation, epochs: 3,
                                      batchSize: 32, blowUpFactor: 10, seed: 1)
        let divergence = try #require(run.divergence)
        #expect(run.validationAccuracy == nil && run.epochLosses.count == 1)
        #expect(divergence.epoch == 1 && divergence.overallStep == divergence.step)
        // The curve holds every step before the divergent one, all finite and within the limit.
        #expect(run.stepLosses.count == divergence.overallStep - 1 && !run.stepLosses.isEmpty)
        #expect(run.stepLosses.allSatisfy { $0.isFinite && $0 <= divergence.limit })
        #expect(divergence.limit == 10 * run.stepLosses[0])
        #expect(!divergence.loss.isFinite || divergence.loss > divergence.limit)
        #expect(divergence.description.hasPrefix("diverged in epoch 1, step \(divergence.step) "))
        // The same seed diverges at the same step with the same losses.
        let again = LearningRates.train(learningRate: 20, training: training, validation: validation, epochs: 3,
                                        batchSize: 32, blowUpFactor: 10, seed: 1)
        #expect(again.stepLosses == run.stepLosses && again.divergence == run.divergence)
    }

    @Test func aNonFiniteLossIsReportedWithTheOpThatMadeIt() throws {
        let (training, validation) = try Self.data.get()
        // No blow-up limit to speak of: the rate grows the weights until a value overflows.
        let run = LearningRates.train(learningRate: 1e19, training: training, validation: validation, epochs: 1,
                                      batchSize: 32, blowUpFactor: .greatestFiniteMagnitude, seed: 1)
        let divergence = try #require(run.divergence)
        #expect(!divergence.loss.isFinite)
        #expect(run.stepLosses.allSatisfy { $0.isFinite })
        #expect(divergence.weightsWereFinite)
        let anomaly = try #require(divergence.anomaly)
        #expect(anomaly.phase == .forward)
        #expect(divergence.description.contains("the first non-finite value came from '\(anomaly.op)'"))
        #expect(divergence.description.contains(divergence.loss.isNaN ? "became NaN" : "became infinite"))
    }

    @Test func smallerBatchesTakeMoreStepsAndLearnMorePerEpoch() throws {
        let (training, validation) = try Self.data.get()
        let runs = [1, 32, training.count].map {
            LearningRates.train(batchSize: $0, learningRate: 0.15, training: training, validation: validation,
                                epochs: 2, seed: 1)
        }
        #expect(runs.map(\.stepsPerEpoch) == [480, 15, 1])
        for run in runs {
            #expect(run.epochLosses.count == 3 && run.seconds.count == 3 && run.seconds[0] == 0)
            #expect(run.seconds == run.seconds.sorted())
            #expect(run.epochLosses[0] == runs[0].epochLosses[0])
        }
        // After two epochs: 960 steps beat 30, which beat 2.
        #expect(runs[0].epochLosses[2] < runs[1].epochLosses[2])
        #expect(runs[1].epochLosses[2] < runs[2].epochLosses[2] * 0.9)
        #expect(runs[2].epochLosses[2] < runs[2].epochLosses[0])

        let table = LearningRates.table(runs).split(separator: "\n")
        #expect(table.count == 4 && table[0].hasPrefix("batch size"))
        #expect(table[3].split(separator: " ").prefix(3) == ["480", "1", "2"])
    }
}
