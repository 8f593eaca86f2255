import Backprop
import BackpropExamples
import BackpropNN
import Foundation
import Testing

@Suite struct RegressionTests {
    @Test func dataIsSeededNoisySine() {
        let data = SineRegression.makeData(count: 500, noise: 0.1, seed: 7)
        #expect(data.inputs.shape == [500, 1] && data.targets.shape == [500, 1])
        #expect(data.inputs.scalars == SineRegression.makeData(count: 500, noise: 0.1, seed: 7).inputs.scalars)
        #expect(data.inputs.scalars != SineRegression.makeData(count: 500, noise: 0.1, seed: 8).inputs.scalars)
        #expect(data.inputs.scalars.allSatisfy { SineRegression.domain.contains(Double($0)) })
        // The residuals y − sin x are the noise: mean near 0, standard deviation near σ = 0.1.
        let residuals = zip(data.inputs.scalars, data.targets.scalars).map { Double($1) - sin(Double($0)) }
        let mean = residuals.reduce(0, +) / 500
        let deviation = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 499).squareRoot()
        #expect(abs(mean) < 0.02)
        #expect(abs(deviation - 0.1) < 0.01)
    }

    @Test func smallNetworkFitsTheSine() {
        let data = SineRegression.makeData(count: 64, noise: 0.1, seed: 0)
        let model = SineRegression.makeModel(hiddenUnits: 16, seed: 1)
        let before = SineRegression.errorAgainstSine(model)
        let losses = SineRegression.train(model, on: data, epochs: 150, batchSize: 16, learningRate: 0.01, seed: 2)
        #expect(losses.count == 150)
        #expect(losses.last! < 0.03)
        #expect(losses.last! < losses.first! / 5)
        #expect(before > 0.3)
        #expect(SineRegression.errorAgainstSine(model) < 0.12)
    }

    /// `--compile`: the same losses and weights, bit for bit.
    @Test func compiledTrainingGivesTheSameBits() {
        let data = SineRegression.makeData(count: 40, noise: 0.1, seed: 0)
        let (eager, compiled) = (SineRegression.makeModel(hiddenUnits: 8, seed: 1), SineRegression.makeModel(hiddenUnits: 8, seed: 1))
        let eagerLosses = SineRegression.train(eager, on: data, epochs: 6, batchSize: 16, learningRate: 0.01, seed: 2)
        let compiledLosses = SineRegression.train(compiled, on: data, epochs: 6, batchSize: 16, learningRate: 0.01, seed: 2,
                                                  compiled: true)
        #expect(eagerLosses == compiledLosses)
        #expect(eager.parameters().map(\.value) == compiled.parameters().map(\.value))
    }

    @Test func evenlySpacedCoversTheDomain() {
        let x = SineRegression.evenlySpaced(5)
        #expect(x.count == 5)
        #expect(abs(x[0] + .pi) < 1e-12 && abs(x[2]) < 1e-12 && abs(x[4] - .pi) < 1e-12)
    }
}
