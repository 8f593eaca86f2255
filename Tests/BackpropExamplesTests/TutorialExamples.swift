import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation
import Testing

// The Swift blocks of Docs/Tutorial.md, in document order, between `// doc:` markers: compiled
// here and run by these tests (BackpropTests compares them with the document). The training
// steps run on 128 images or fewer so that the tests stay fast; the document's figures come from the
// full 1,438, which is what `swift run -c release digits` trains on.

@Suite struct TutorialExamples {
    @Test func theData() throws {
        // doc: Docs/Tutorial.md
        let digits = try DigitsData.load()
        print(digits.count, digits.images.shape)   // 1797 [1797, 1, 8, 8]
        print(digits.labels.prefix(12))            // [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
        // end doc
        #expect(digits.count == 1797 && digits.images.shape == [1797, 1, 8, 8])
        #expect(Array(digits.labels.prefix(12)) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])

        // doc: Docs/Tutorial.md
        let shades = Array(" .:-=+*#%@")
        for row in 0..<8 {
            print(String((0..<8).map { column in shades[Int(digits.images[0, 0, row, column] * 9)] }))
        }
        // end doc
        #expect(String((0..<8).map { column in shades[Int(digits.images[0, 0, 0, column] * 9)] }) == "  :#+   ")

        // doc: Docs/Tutorial.md
        let (training, test) = digits.split(testFraction: 0.2, seed: 0)
        print(training.count, test.count)   // 1438 359
        // end doc
        #expect(training.count == 1438 && test.count == 359)
    }

    @Test func theModelAndTheLoss() throws {
        let training = try DigitsData.load().split(testFraction: 0.2, seed: 0).training
        // doc: Docs/Tutorial.md
        let network = withRandomSeed(1) {
            Sequential<Float>(
                Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(kernelSize: 2),
                Flatten(), Linear(inputSize: 32 * 2 * 2, outputSize: 10)
            )
        }
        print(network.parameterCount)   // 6090
        // end doc
        #expect(network.parameterCount == 6090)
        // The tutorial's network is the program's, weight for weight.
        #expect(network.parameters().map(\.value) == DigitsModel.cnn.makeNetwork(seed: 1).parameters().map(\.value))

        // doc: Docs/Tutorial.md
        let batch = training.batch(at: [0, 1, 2, 3])
        let logits = network(Variable(batch.inputs))
        let loss = crossEntropy(logits: logits, labels: batch.labels)
        print(batch.inputs.shape, logits.shape, batch.labels)   // [4, 1, 8, 8] [4, 10] [0, 1, 2, 3]
        print(loss.scalar)                                      // 2.3389544
        loss.backward()
        print(network.parameters()[0].grad!.shape)              // [16, 1, 3, 3]: the first convolution's weights
        // end doc
        #expect(logits.shape == [4, 10] && batch.labels == [0, 1, 2, 3])
        #expect(Swift.abs(loss.scalar - 2.3389544) < 1e-5)
        #expect(network.parameters().allSatisfy { $0.grad?.shape == $0.value.shape })
    }

    @Test func trainingEvaluationAndCheckpoint() throws {
        let (training, test) = try DigitsData.load().split(testFraction: 0.2, seed: 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tutorial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try tutorialRun(training: training.subset(Array(0..<128)), test: test, directory: directory)
        #expect(result.losses.count == 15)
        #expect(result.losses.last! < result.losses.first! / 2, "losses \(result.losses)")
        #expect(result.accuracy > 0.5, "a network trained on 128 images reads most test digits")
        #expect(result.restoredAccuracy == result.accuracy)
        #expect(result.libraryAccuracy == result.accuracy)
        for file in ["loss.svg", "confusion.svg", "cnn.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
    }

    @Test func theProgramsLoop() throws {
        let training = try DigitsData.load().subset(Array(0..<64))
        let network = DigitsModel.cnn.makeNetwork(seed: 1)
        let optimizer = Adam(parameters: network.parameters(), learningRate: 0.01)
        let loader = DataLoader(training, batchSize: 32, shuffle: true, seed: 2)
        let before = evaluate(network, on: training).score.loss
        // doc: Docs/Tutorial.md
        let progress = ProgressBar(epochs: 15, batchesPerEpoch: loader.batchCount, metricName: "accuracy")
        for epoch in 1...15 {
            let trained = trainEpoch(network, optimizer: optimizer, loader: loader) { index, batch, size in
                progress.update(epoch: epoch, batch: index + 1, loss: batch.loss, metric: batch.accuracy, samples: size)
            }
            progress.finishEpoch(epoch: epoch, loss: trained.loss, metric: trained.accuracy)
        }
        // end doc
        let after = evaluate(network, on: training).score.loss
        #expect(after < before / 2, "loss \(before) → \(after)")
    }
}

/// The tutorial's training loop, evaluation and checkpoint, on the given data.
func tutorialRun(training: DigitsData, test: DigitsData, directory: URL) throws
    -> (losses: [Float], accuracy: Double, restoredAccuracy: Double, libraryAccuracy: Double) {
    let network = DigitsModel.cnn.makeNetwork(seed: 1)
    // doc: Docs/Tutorial.md
    let optimizer = Adam(parameters: network.parameters(), learningRate: 0.01)
    let loader = DataLoader(training, batchSize: 32, shuffle: true, seed: 2)
    var losses: [Float] = []
    for epoch in 1...15 {
        var total: Float = 0
        for batch in loader {
            optimizer.zeroGrad()
            let loss = crossEntropy(logits: network(Variable(batch.inputs)), labels: batch.labels)
            loss.backward()
            optimizer.step()
            total += loss.scalar
        }
        losses.append(total / Float(loader.batchCount))
        print("epoch \(epoch): loss \(losses.last!)")
    }
    // end doc

    // doc: Docs/Tutorial.md
    var chart = Chart(title: "Training loss", xLabel: "epoch", yLabel: "cross-entropy", logarithmicY: true)
    chart.addLine("training", x: losses.indices.map { Double($0 + 1) }, y: losses.map(Double.init))
    try chart.write(to: directory.appendingPathComponent("loss.svg").path)
    // end doc

    // doc: Docs/Tutorial.md
    let logits = withoutGradients { network(Variable(test.images)) }
    let predictions = logits.value.argmax(axis: 1).scalars
    var confusion = Array(repeating: Array(repeating: 0, count: 10), count: 10)
    for (predicted, label) in zip(predictions, test.labels) {
        confusion[label][predicted] += 1
    }
    let correct = (0...9).map { confusion[$0][$0] }.reduce(0, +)
    print("test accuracy: \(correct) of \(test.count)")
    // end doc

    // doc: Docs/Tutorial.md
    let digitNames = (0...9).map(String.init)
    let heatMap = HeatMap(title: "Test images", values: confusion.map { $0.map(Double.init) },
                          rowLabels: digitNames, columnLabels: digitNames, xLabel: "predicted", yLabel: "true")
    try heatMap.write(to: directory.appendingPathComponent("confusion.svg").path)
    // end doc

    // doc: Docs/Tutorial.md
    let checkpoint = directory.appendingPathComponent("cnn.safetensors")
    try network.save(to: checkpoint)

    let restored = DigitsModel.cnn.makeNetwork(seed: 42)   // the same shapes, other weights
    try restored.load(from: checkpoint)
    let again = evaluate(restored, on: test)
    print("restored: \(again.score.accuracy)")
    // end doc
    return (losses, Double(correct) / Double(test.count), again.score.accuracy, evaluate(network, on: test).score.accuracy)
}
