import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct OverfittingTests {
    static let digits = Result { try DigitsData.load() }

    @Test func slicesAreDisjointSeededAndNoiseChangesOnlyTheChosenLabels() throws {
        let digits = try Self.digits.get()
        let clean = Overfitting.slices(of: digits, trainingCount: 150, validationCount: 500, seed: 3)
        let noisy = Overfitting.slices(of: digits, trainingCount: 150, validationCount: 500, labelNoise: 0.3, seed: 3)
        #expect(clean.training.count == 150 && clean.validation.count == 500)
        #expect(clean.wrongLabels.isEmpty)
        // The same images; labels differ exactly at the chosen indices, about 30% of them.
        #expect(noisy.training.images == clean.training.images && noisy.validation.labels == clean.validation.labels)
        let differing = clean.training.labels.indices.filter { clean.training.labels[$0] != noisy.training.labels[$0] }
        #expect(differing == noisy.wrongLabels)
        #expect((30...60).contains(differing.count), "\(differing.count) wrong labels of 150")
        #expect(noisy.training.labels.allSatisfy { (0...9).contains($0) })
        // No image is in both slices (the 1,797 images are distinct, so pixel rows identify them).
        let rows = { (data: DigitsData) in Set((0..<data.count).map { Array(data.images.scalars[$0 * 64..<($0 + 1) * 64]) }) }
        #expect(rows(clean.training).count == 150 && rows(clean.validation).count == 500)
        #expect(rows(clean.training).isDisjoint(with: rows(clean.validation)))
        // Another seed draws other images.
        let other = Overfitting.slices(of: digits, trainingCount: 150, validationCount: 500, seed: 4)
        #expect(other.training.images != clean.training.images)
    }

    @Test func dropoutDoesNotChangeTheInitialWeights() {
        let plain = Overfitting.makeNetwork(hiddenUnits: 512, seed: 7)
        let dropped = Overfitting.makeNetwork(hiddenUnits: 512, dropout: 0.5, seed: 7)
        #expect(plain.parameterCount == 64 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10)   // 301,066
        #expect(plain.parameters().map(\.value) == dropped.parameters().map(\.value))
        #expect(dropped.layers.count == plain.layers.count + 2)
    }

    /// Four small runs: 60 images, a fifth of their labels wrong, a 64-128-128-10 MLP.
    static let runs = Result { () throws -> [OverfittingRun] in
        let digits = try Self.digits.get()
        let data = Overfitting.slices(of: digits, trainingCount: 60, validationCount: 300, labelNoise: 0.2, seed: 1)
        var settings = OverfittingSettings()
        (settings.hiddenUnits, settings.epochs, settings.batchSize, settings.learningRate) = (128, 60, 20, 0.003)
        (settings.dropout, settings.weightDecay, settings.patience) = (0.5, 5, 5)
        return OverfittingRemedy.allCases.map {
            Overfitting.train($0, training: data.training, validation: data.validation, settings: settings, seed: 2)
        }
    }

    @Test func withoutARemedyTheNetworkMemorisesAndTheRemediesNarrowTheGap() throws {
        let runs = try Self.runs.get()
        let (plain, dropout, decay, early) = (runs[0], runs[1], runs[2], runs[3])
        #expect(plain.history.count == 60 && dropout.history.count == 60 && decay.history.count == 60)
        // Memorised: every training label reproduced, the wrong ones too, far above validation.
        #expect(plain.final.training.accuracy == 1)
        #expect(plain.final.accuracyGap > 0.2, "\(plain.final)")
        // The validation loss rose after its lowest point.
        #expect(plain.final.validation.loss > plain.history[plain.bestEpoch - 1].validation.loss * 1.2)
        // Each remedy keeps the validation loss nearer the training loss; dropout and weight decay
        // by not fitting the training labels as closely, early stopping by stopping before.
        for remedy in [dropout, decay, early] {
            #expect(remedy.final.lossGap < plain.final.lossGap * 0.8, "\(remedy.remedy): \(remedy.final)")
        }
        for remedy in [dropout, decay] {
            #expect(remedy.final.training.loss > plain.final.training.loss * 5, "\(remedy.remedy): \(remedy.final)")
        }
        #expect(early.final.validation.loss < plain.final.validation.loss)
    }

    @Test func earlyStoppingStopsAfterPatienceAndRestoresTheBestEpoch() throws {
        let runs = try Self.runs.get()
        let (plain, early) = (runs[0], runs[3])
        #expect(early.stoppedEarly && !plain.stoppedEarly)
        #expect(early.history.count == early.bestEpoch + 5)
        // The same weights and batches as the plain run until it stopped.
        #expect(Array(plain.history.prefix(early.history.count)) == early.history)
        let lowest = early.history.map(\.validation.loss).min()!
        #expect(early.history[early.bestEpoch - 1].validation.loss == lowest)
        // The restored network scores exactly what it scored at its best epoch.
        #expect(early.final == early.history[early.bestEpoch - 1])
    }

    @Test func tableHasARowPerRunWithItsGap() throws {
        let runs = try Self.runs.get()
        let table = Overfitting.table(runs).split(separator: "\n")
        #expect(table.count == 5)
        #expect(table[0].hasPrefix("run") && table[0].hasSuffix("gap (loss)"))
        #expect(table[1].hasPrefix("no remedy") && table[4].hasPrefix("early stopping"))
        #expect(table[4].contains("(best \(runs[3].bestEpoch))"))
        #expect(table[1].contains(String(format: "%.1f pts", runs[0].final.accuracyGap * 100)))
    }
}
