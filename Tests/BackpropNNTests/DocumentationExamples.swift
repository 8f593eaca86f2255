import Backprop
import BackpropNN
import BackpropPlot
import Foundation
import Testing

// The BackpropNN examples of README.md and Docs/, between `// doc:` markers: compiled
// here, run by these tests, and compared with the documents by BackpropTests. This
// file imports BackpropNN without @testable: the examples use the public API alone.

@Suite struct NNDocumentationExamples {
    @Test func readmeTrainingLoop() throws {
        // doc: README.md

        // y = sin(3x) on [−1, 1], fitted by a small MLP in mini-batches.
        let x = Tensor<Float>.uniform([256, 1], low: -1, high: 1, seed: 1)
        let data = TensorDataset(inputs: x, targets: sin(x * 3))
        let model = withRandomSeed(2) {
            Sequential<Float>(Linear(inputSize: 1, outputSize: 32), Tanh(), Linear(inputSize: 32, outputSize: 1))
        }
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
        let loader = DataLoader(data, batchSize: 32, shuffle: true, seed: 3)
        for epoch in 1...100 {
            var total: Float = 0
            for batch in loader {
                optimizer.zeroGrad()
                let loss = meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets))
                loss.backward()
                optimizer.step()
                total += loss.scalar
            }
            if epoch % 25 == 0 { print("epoch \(epoch): loss \(total / Float(loader.batchCount))") }
        }
        try model.save(to: FileManager.default.temporaryDirectory.appendingPathComponent("sine.safetensors"))
        // end doc
        let final = meanSquaredError(predicted: model(Variable(x)), expected: Variable(sin(x * 3))).scalar
        #expect(final < 0.01, "loss \(final)")
        try FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("sine.safetensors"))
    }

    @Test func buildingModelsSequential() {
        // doc: Docs/BuildingModels.md
        let model = Sequential<Float>(
            Linear(inputSize: 784, outputSize: 128), ReLU(), Dropout(probability: 0.2),
            Linear(inputSize: 128, outputSize: 10)
        )
        print(model.parameterCount)                      // 101770
        print(model.namedParameters().map(\.name))       // ["0.weight", "0.bias", "3.weight", "3.bias"]
        // end doc
        #expect(model.parameterCount == 101_770)
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias"])
    }

    @Test func buildingModelsExplicitStateNames() {
        // doc: Docs/BuildingModels.md
        struct Scale: Layer, ExplicitStateNames {
            let factor = Variable(Tensor<Float>([2]), requiresGrad: true)
            var stateEntries: [(key: String, value: Any)] { [("weight", factor)] }
            func callAsFunction(_ x: Variable<Float>) -> Variable<Float> { x * factor }
        }
        print(Scale().namedParameters().map(\.name))   // ["weight"]
        // end doc
        #expect(Scale().namedParameters().map(\.name) == ["weight"])
        #expect(Scale().stateDictionary().keys.sorted() == ["weight"])
    }

    @Test func buildingModelsCustomLayer() {
        // doc: Docs/BuildingModels.md
        /// A residual block: x + W₂·gelu(W₁·norm(x)).
        struct ResidualBlock: Layer {
            let norm: LayerNorm<Float>
            let expand: Linear<Float>
            let project: Linear<Float>

            init(width: Int) {
                norm = LayerNorm(featureCount: width)
                expand = Linear(inputSize: width, outputSize: 4 * width)
                project = Linear(inputSize: 4 * width, outputSize: width)
            }

            func callAsFunction(_ x: Variable<Float>) -> Variable<Float> {
                x + project(gelu(expand(norm(x))))
            }
        }

        struct Classifier: Layer {
            let blocks = [ResidualBlock(width: 16), ResidualBlock(width: 16)]
            let head = Linear<Float>(inputSize: 16, outputSize: 3)

            func callAsFunction(_ x: Variable<Float>) -> Variable<Float> {
                head(blocks.reduce(x) { $1($0) })
            }
        }

        let classifier = withRandomSeed(42) { Classifier() }
        print(classifier.namedParameters().first!.name)  // blocks.0.norm.weight
        print(classifier(Variable(Tensor<Float>.zeros([8, 16]))).shape)  // [8, 3]
        // end doc
        #expect(classifier.namedParameters().first!.name == "blocks.0.norm.weight")
        #expect(classifier.namedParameters().count == 2 * 6 + 2)
        #expect(classifier(Variable(Tensor<Float>.zeros([8, 16]))).shape == [8, 3])
    }

    @Test func buildingModelsStateDictionary() throws {
        // doc: Docs/BuildingModels.md
        let model = withRandomSeed(1) {
            Sequential<Double>(Conv1d(inputChannels: 2, outputChannels: 4, kernelSize: 3, padding: 1), ReLU(),
                               MaxPool1d(kernelSize: 2), Flatten(), Linear(inputSize: 16, outputSize: 1))
        }
        let saved = model.stateDictionary()
        print(saved.keys.sorted())  // ["0.bias", "0.weight", "4.bias", "4.weight"]

        model.apply { module in     // zero every convolution's weight
            if let conv = module as? Conv1d<Double> { conv.weight.value = .zeros(conv.weight.shape) }
        }
        try model.load(stateDictionary: saved)           // back to the saved weights

        model.layers[0].freeze()                         // train only the rest
        print(model.parameters().map(\.requiresGrad))    // [false, false, true, true]
        // end doc
        #expect(saved.keys.sorted() == ["0.bias", "0.weight", "4.bias", "4.weight"])
        #expect(model.stateDictionary() == saved)
        #expect(model.parameters().map { $0.requiresGrad } == [false, false, true, true])
        #expect(model(Variable(Tensor<Double>.zeros([3, 2, 8]))).shape == [3, 1])
    }

    @Test func trainingLoop() {
        // doc: Docs/Training.md
        // Three Gaussian blobs in 2-d, one class each.
        var generator = SeededGenerator(seed: 1)
        let centres: [[Float]] = [[0, 2], [-2, -1], [2, -1]]
        let points = Tensor<Float>.normal([300, 2], standardDeviation: 0.5, using: &generator)
        let labels = (0..<300).map { $0 % 3 }
        let offsets = Tensor(shape: [300, 2], scalars: labels.flatMap { centres[$0] })
        let data = TensorDataset(inputs: points + offsets, labels: labels)
        let (training, validation) = data.split(validationFraction: 0.2, seed: 2)

        let model = withRandomSeed(3) {
            Sequential<Float>(Linear(inputSize: 2, outputSize: 16), ReLU(), Linear(inputSize: 16, outputSize: 3))
        }
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
        let loader = DataLoader(training, batchSize: 32, shuffle: true, seed: 4)

        for epoch in 1...20 {
            model.train()
            for batch in loader {
                optimizer.zeroGrad()
                let loss = crossEntropy(logits: model(Variable(batch.inputs)), labels: batch.labels)
                loss.backward()
                optimizer.step()
            }
            model.eval()
            let check = validation.batch(at: Array(0..<validation.count))
            let predicted = withoutGradients { model(Variable(check.inputs)).value.argmax(axis: 1).scalars }
            let accuracy = Double(zip(predicted, check.labels).filter { $0 == $1 }.count) / Double(validation.count)
            if epoch % 5 == 0 { print("epoch \(epoch): validation accuracy \(accuracy)") }
        }
        // end doc
        model.eval()
        let check = validation.batch(at: Array(0..<validation.count))
        let predicted = withoutGradients { model(Variable(check.inputs)).value.argmax(axis: 1).scalars }
        #expect(zip(predicted, check.labels).filter { $0 == $1 }.count >= validation.count * 9 / 10)
    }

    @Test func trainingCompiledStep() {
        // doc: Docs/Training.md
        let model = withRandomSeed(5) {
            Sequential<Float>(Linear(inputSize: 4, outputSize: 32), ReLU(), Dropout(probability: 0.1),
                              Linear(inputSize: 32, outputSize: 3))
        }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1, momentum: 0.9)
        let step = compile(inputCount: 2, returningAuxiliary: { (batch: [Variable<Float>]) in
            let logits = model(batch[0])
            return (crossEntropy(logits: logits, targets: batch[1]), [logits])
        })
        let inputs = Tensor<Float>.uniform([64, 4], low: -1, high: 1, seed: 6)
        let labels = (0..<64).map { i in (0..<3).max { inputs[i, $0] < inputs[i, $1] }! }   // the largest of the first three
        let oneHot = Tensor<Float>(shape: [64, 3], scalars: labels.flatMap { label in (0..<3).map { $0 == label ? 1 : 0 } })
        for _ in 1...50 {
            optimizer.zeroGrad()
            let (loss, auxiliary) = step.callWithAuxiliary([inputs, oneHot])
            loss.backward()
            optimizer.step()
            _ = auxiliary[0].argmax(axis: 1)   // the logits, for an accuracy
        }
        // end doc
        #expect(step.tracingCallCount == 2 && step.replayCount == 48)
        model.eval()
        let predicted = withoutGradients { model(Variable(inputs)).value.argmax(axis: 1).scalars }
        #expect(zip(predicted, labels).filter { $0 == $1 }.count >= 56)
    }

    @Test func trainingClassLosses() {
        // doc: Docs/Training.md
        // Per-pixel classes: logits [N, C, H, W], labels [N, H, W]; label 255 marks pixels to skip.
        let logits = Variable(Tensor<Double>.uniform([2, 3, 4, 4], low: -2, high: 2, seed: 1), requiresGrad: true)
        let labels = Tensor<Int>(shape: [2, 4, 4], scalars: (0..<32).map { $0 % 5 == 0 ? 255 : $0 % 3 })
        let loss = crossEntropy(logits: logits, labels: labels, weights: Tensor([1, 2, 0.5]), ignoreIndex: 255,
                                labelSmoothing: 0.1)
        loss.backward()  // the skipped pixels get zero gradients
        // end doc
        let kept = labels.scalars.filter { $0 != 255 }
        let totalWeight = kept.map { [1, 2, 0.5][$0] }.reduce(0, +)
        let perPixel = crossEntropy(logits: logits, labels: labels, weights: Tensor([1, 2, 0.5]), ignoreIndex: 255,
                                    labelSmoothing: 0.1, reduction: .none)
        #expect(perPixel.shape == [2, 4, 4])
        expectClose(loss.scalar, perPixel.value.sum().scalar / totalWeight, tolerance: 1e-14)
        // Each pixel's gradient over the classes: zero exactly where the label is 255.
        let gradient = logits.grad!.permuted([0, 2, 3, 1]).reshaped([32, 3])
        for (i, label) in labels.scalars.enumerated() {
            let skipped = (0..<3).allSatisfy { gradient[i, $0] == 0 }
            #expect(skipped == (label == 255), "pixel \(i), label \(label)")
        }
    }

    @Test func trainingSchedule() {
        // doc: Docs/Training.md
        let weights = Variable(Tensor<Double>.zeros([4]), requiresGrad: true)
        let sgd = SGD(parameters: [weights], learningRate: 0.1, momentum: 0.9)
        let schedule = StepLR(optimizer: sgd, stepSize: 10, gamma: 0.5)
        for _ in 0..<25 { schedule.step() }
        print(sgd.learningRate)  // 0.025: halved at steps 10 and 20
        // end doc
        #expect(sgd.learningRate == 0.025)
    }

    @Test func trainingWarmupThenCosine() {
        // doc: Docs/Training.md
        let weights = Variable(Tensor<Double>.zeros([4]), requiresGrad: true)
        let sgd = SGD(parameters: [weights], learningRate: 0.1)
        let warmup = LinearWarmup(optimizer: sgd, warmupSteps: 5, startFactor: 0.1)
        let cosine = CosineAnnealingLR(optimizer: sgd, maximumSteps: 15, minimumLearningRate: 0.001)
        let schedule = SequentialLR(optimizer: sgd, schedules: [warmup, cosine], milestones: [5])
        for _ in 0..<5 { schedule.step() }
        print(sgd.learningRate)  // 0.1: warmed up from 0.01; the cosine takes over from here
        for _ in 0..<15 { schedule.step() }
        print(sgd.learningRate)  // 0.001, the cosine's minimum
        // end doc
        #expect(Swift.abs(sgd.learningRate - 0.001) < 1e-15)
        #expect(Swift.abs(schedule.learningRate(atStep: 5) - 0.1) < 1e-15 && Swift.abs(schedule.learningRate(atStep: 0) - 0.01) < 1e-15)
    }

    @Test func trainingLearningRateFinder() throws {
        // doc: Docs/Training.md
        // Sweep the learning rate of a linear regression, chart the curve, and take the suggestion.
        let x = Tensor<Float>.uniform([512, 3], low: -1, high: 1, seed: 1)
        let data = TensorDataset(inputs: x, targets: matmul(x, Tensor([[1.5], [-2], [0.5]])) + 0.3)
        let model = withRandomSeed(2) { Linear<Float>(inputSize: 3, outputSize: 1) }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.01)
        let loader = DataLoader(data, batchSize: 64, shuffle: true, seed: 3)

        let sweep = findLearningRate(model: model, optimizer: optimizer, batches: loader) { batch in
            meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets))
        }
        print(sweep.learningRates.count, sweep.diverged)  // 95 true: it stopped when the loss took off
        print(sweep.suggestion!)                          // about 0.27: a tenth of the rate at the lowest smoothed loss
        optimizer.learningRate = sweep.suggestion!

        var chart = Chart(title: "Learning-rate range test", xLabel: "learning rate", yLabel: "smoothed loss",
                          logarithmicX: true, logarithmicY: true)
        chart.addLine("loss", x: sweep.learningRates.map(Double.init), y: sweep.smoothedLosses.map(Double.init))
        try chart.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("range-test.svg").path)
        // end doc
        #expect(sweep.diverged && sweep.learningRates.count == 95)
        #expect(sweep.suggestion! > 0.2 && sweep.suggestion! < 0.35)
        // The model is as it was: the rate it is left with is the one set above.
        #expect(model.parameters().map(\.value) == withRandomSeed(2) { Linear<Float>(inputSize: 3, outputSize: 1) }.parameters().map(\.value))
        #expect(optimizer.learningRate == sweep.suggestion! && optimizer.state().step == 0)
        try FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("range-test.svg"))
    }

    @Test func trainingEarlyStopping() {
        // doc: Docs/Training.md
        // Fit a noisy sine until the validation loss stalls for 5 epochs, then keep the best weights.
        let x = Tensor<Float>.uniform([400, 1], low: -1, high: 1, seed: 1)
        let noise = Tensor<Float>.normal([400, 1], standardDeviation: 0.3, seed: 2)
        let (training, validation) = TensorDataset(inputs: x, targets: sin(x * 3) + noise).split(validationFraction: 0.25, seed: 3)
        let model = withRandomSeed(4) {
            Sequential<Float>(Linear(inputSize: 1, outputSize: 64), Tanh(), Linear(inputSize: 64, outputSize: 1))
        }
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
        let loader = DataLoader(training, batchSize: 32, shuffle: true, seed: 5)
        let check = validation.batch(at: Array(0..<validation.count))
        let stopping = EarlyStopping<Float>(patience: 5, minDelta: 1e-4)

        for epoch in 1...500 {
            model.train()
            for batch in loader {
                optimizer.zeroGrad()
                meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets)).backward()
                optimizer.step()
            }
            model.eval()
            let loss = withoutGradients {
                meanSquaredError(predicted: model(Variable(check.inputs)), expected: Variable(check.targets)).scalar
            }
            stopping.update(validationLoss: loss, model: model)
            if stopping.shouldStop {
                print("stopped after epoch \(epoch); the best was epoch \(stopping.bestEpoch!), loss \(stopping.bestLoss!)")
                break
            }
        }
        stopping.restoreBestWeights(into: model)
        // end doc
        #expect(stopping.shouldStop && stopping.epochCount < 500)
        #expect(stopping.epochCount == stopping.bestEpoch! + 5)
        // The restored model gives the best epoch's validation loss again, exactly; the noise's variance is 0.09.
        let restored = withoutGradients {
            meanSquaredError(predicted: model(Variable(check.inputs)), expected: Variable(check.targets)).scalar
        }
        #expect(restored == stopping.bestLoss!)
        #expect(restored < 0.12, "validation loss \(restored)")
    }

    @Test func trainingProgressAndCharts() throws {
        // doc: Docs/Training.md
        // Fit y = 2x − 1, watching the loss, then chart it on a logarithmic axis.
        let x = Tensor<Float>.uniform([512, 1], low: -1, high: 1, seed: 1)
        let loader = DataLoader(TensorDataset(inputs: x, targets: x * 2 - 1), batchSize: 64, shuffle: true, seed: 2)
        let model = withRandomSeed(3) { Linear<Float>(inputSize: 1, outputSize: 1) }
        let optimizer = SGD(parameters: model.parameters(), learningRate: 0.1)
        let progress = ProgressBar(epochs: 20, batchesPerEpoch: loader.batchCount)
        var losses: [Double] = []
        for epoch in 1...20 {
            var total = 0.0
            for (index, batch) in loader.enumerated() {
                optimizer.zeroGrad()
                let loss = meanSquaredError(predicted: model(Variable(batch.inputs)), expected: Variable(batch.targets))
                loss.backward()
                optimizer.step()
                total += Double(loss.scalar)
                progress.update(epoch: epoch, batch: index + 1, loss: Double(loss.scalar), samples: batch.inputs.shape[0])
            }
            losses.append(total / Double(loader.batchCount))
            progress.finishEpoch(epoch: epoch, loss: losses[epoch - 1])
        }

        var chart = Chart(title: "Fitting y = 2x − 1", xLabel: "epoch", yLabel: "mean squared error", logarithmicY: true)
        chart.addLine("training", x: (1...20).map(Double.init), y: losses)
        let confusion = HeatMap(title: "Confusion", values: [[48, 2], [5, 45]], rowLabels: ["no", "yes"],
                                columnLabels: ["no", "yes"], xLabel: "predicted", yLabel: "true")
        let figure = Figure(title: "Training report", columns: 2, panels: [chart, confusion])
        try figure.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("report.svg").path)
        // end doc
        #expect(losses.count == 20 && losses[19] < losses[0] / 100, "losses \(losses)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("report.svg").path
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg == figure.svg())
        #expect(svg.contains("Fitting y = 2x − 1") && svg.contains(">training</text>") && svg.contains(">45</text>"))
        try FileManager.default.removeItem(atPath: path)
    }
}
