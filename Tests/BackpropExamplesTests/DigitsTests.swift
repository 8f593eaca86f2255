import Backprop
import BackpropExamples
import BackpropNN
import BackpropPlot
import Foundation
import Testing

@Suite struct DigitsTests {
    static let digits = Result { try DigitsData.load() }

    /// The first `count` images of the bundled data.
    func firstImages(_ count: Int) throws -> DigitsData { try Self.digits.get().subset(Array(0..<count)) }

    @Test func bundledCSVParsesIntoScaledImagesAndLabels() throws {
        let digits = try Self.digits.get()
        #expect(digits.count == 1797)
        #expect(digits.images.shape == [1797, 1, 8, 8])
        #expect(Set(digits.labels) == Set(0...9))
        #expect(Array(digits.labels.prefix(3)) == [0, 1, 2])
        // The first row begins 0,0,5,13,9,1,0,0 and its 64 pixels add up to 294.
        #expect(Array(digits.images.scalars.prefix(8)) == [0, 0, 5, 13, 9, 1, 0, 0].map { Float($0) / 16 })
        #expect(digits.images.slicing(0..<1).sum().scalar == Float(294) / 16)
        #expect(digits.images.max().scalar == 1)
        #expect(digits.images.min().scalar == 0)
    }

    @Test func splitIsSeededStratifiedAndDisjoint() throws {
        let digits = try Self.digits.get()
        let (training, test) = digits.split(testFraction: 0.2, seed: 5)
        #expect(training.count == 1438)
        #expect(test.count == 359)
        for digit in 0...9 {   // a fifth of each digit, rounded
            let total = digits.labels.filter { $0 == digit }.count
            #expect(test.labels.filter { $0 == digit }.count == Int((Double(total) * 0.2).rounded()))
        }
        let again = digits.split(testFraction: 0.2, seed: 5)
        #expect(again.test.images == test.images && again.training.labels == training.labels)
        let other = digits.split(testFraction: 0.2, seed: 6)
        #expect(other.test.images != test.images)
        // Disjoint and complete: each image is in exactly one part (compared as pixel rows).
        let rows = { (data: DigitsData) in (0..<data.count).map { Array(data.images.scalars[$0 * 64..<($0 + 1) * 64]) } }
        let all = rows(digits), trainingRows = rows(training), testRows = rows(test)
        #expect((trainingRows + testRows).sorted { $0.lexicographicallyPrecedes($1) } == all.sorted { $0.lexicographicallyPrecedes($1) })
        let distinctAll = Set(all.map { $0.map(Int.init) }).count
        #expect(Set((trainingRows + testRows).map { $0.map(Int.init) }).count == distinctAll)
    }

    @Test(arguments: DigitsModel.allCases)
    func tinyTrainingLowersTheLoss(model: DigitsModel) throws {
        let data = try firstImages(200)
        let network = model.makeNetwork(seed: 1)
        let before = evaluate(network, on: data).score
        let optimizer = Adam(parameters: network.parameters(), learningRate: 0.01)
        let loader = DataLoader(data, batchSize: 32, shuffle: true, seed: 2)
        var batches = 0
        let first = trainEpoch(network, optimizer: optimizer, loader: loader) { index, _, size in
            #expect(index == batches)
            #expect(size == (index < 6 ? 32 : 8))
            batches += 1
        }
        let second = trainEpoch(network, optimizer: optimizer, loader: loader)
        let after = evaluate(network, on: data).score
        #expect(batches == 7)
        #expect(second.loss < first.loss)
        #expect(after.loss < before.loss * 0.8, "loss \(before.loss) → \(after.loss)")
        #expect(after.accuracy > before.accuracy)
    }

    @Test func networksHaveTheDocumentedSizes() {
        #expect(DigitsModel.cnn.makeNetwork(seed: 0).parameterCount == 6090)
        #expect(DigitsModel.mlp.makeNetwork(seed: 0).parameterCount == 9610)
        let logits = DigitsModel.cnn.makeNetwork(seed: 0)(Variable(Tensor<Float>.zeros([3, 1, 8, 8])))
        #expect(logits.shape == [3, 10])
    }

    /// `--compile`: the same scores and weights, bit for bit, for both networks.
    @Test(arguments: DigitsModel.allCases)
    func compiledTrainingGivesTheSameBits(model: DigitsModel) throws {
        let data = try firstImages(100)
        func run(compiled: Bool) -> (parameters: [Tensor<Float>], scores: [ClassificationScore]) {
            let network = model.makeNetwork(seed: 3)
            let optimizer = Adam(parameters: network.parameters(), learningRate: 0.01)
            let loader = DataLoader(data, batchSize: 16, shuffle: true, seed: 4)
            let loss = compiled ? compiledLoss(of: network) : nil
            let scores = (0..<2).map { _ in trainEpoch(network, optimizer: optimizer, loader: loader, compiledLoss: loss) }
            if let loss { #expect(loss.tracingCallCount == 4 && loss.replayCount == 10) }    // 16 × 6 + 4 images
            return (network.parameters().map(\.value), scores)
        }
        let (eager, compiled) = (run(compiled: false), run(compiled: true))
        #expect(eager.scores == compiled.scores)
        #expect(eager.parameters == compiled.parameters)
    }

    @Test func sameSeedGivesTheSameRunBitForBit() throws {
        let data = try firstImages(120)
        func run() -> (parameters: [Tensor<Float>], score: ClassificationScore) {
            let network = DigitsModel.cnn.makeNetwork(seed: 3)
            let optimizer = Adam(parameters: network.parameters(), learningRate: 0.01)
            let score = trainEpoch(network, optimizer: optimizer, loader: DataLoader(data, batchSize: 16, shuffle: true, seed: 4))
            return (network.parameters().map(\.value), score)
        }
        let (first, second) = (run(), run())
        #expect(first.parameters == second.parameters)
        #expect(first.score == second.score)
    }

    @Test func evaluationCountsEveryImageOnce() throws {
        let data = try firstImages(100)
        let result = evaluate(DigitsModel.mlp.makeNetwork(seed: 9), on: data)
        #expect(result.confusion.count == 10 && result.confusion.allSatisfy { $0.count == 10 })
        #expect(result.confusion.joined().reduce(0, +) == 100)
        for digit in 0...9 { #expect(result.confusion[digit].reduce(0, +) == data.labels.filter { $0 == digit }.count) }
        let diagonal = (0...9).reduce(0) { $0 + result.confusion[$1][$1] }
        #expect(result.correctCount == diagonal)
        #expect(result.score.accuracy == Double(diagonal) / 100)
        #expect(result.confusionTable.split(separator: "\n").count == 11)
    }

    @Test func checkpointRoundTripScoresTheSame() throws {
        let data = try firstImages(200)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("digits-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let network = DigitsModel.cnn.makeNetwork(seed: 1)
        let optimizer = Adam(parameters: network.parameters(), learningRate: 0.01)
        _ = trainEpoch(network, optimizer: optimizer, loader: DataLoader(data, batchSize: 32, shuffle: true, seed: 2))
        try network.save(to: url)

        let restored = DigitsModel.cnn.makeNetwork(seed: 99)
        #expect(evaluate(restored, on: data).confusion != evaluate(network, on: data).confusion)
        try restored.load(from: url)
        let (expected, found) = (evaluate(network, on: data), evaluate(restored, on: data))
        #expect(found.score == expected.score)
        #expect(found.confusion == expected.confusion)

        // The other architecture refuses the file, naming what does not fit.
        #expect(throws: CheckpointError.self) { try DigitsModel.mlp.makeNetwork(seed: 1).load(from: url) }
    }

    @Test func badTablesThrowDescriptiveErrors() throws {
        func load(_ text: String) throws -> DigitsData {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("digits-\(UUID().uuidString).csv")
            try Data(text.utf8).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            return try DigitsData.load(from: url)
        }
        let row = Array(repeating: "0", count: 64).joined(separator: ",")
        func message(_ text: String) -> String {
            do { _ = try load(text); return "no error" } catch { return "\(error)" }
        }
        #expect(message("1,2,3\n").hasSuffix("has 3 columns, expected 65 (64 pixels, then the label)"))
        #expect(message("\n\n").hasSuffix("holds no rows"))
        #expect(message("\(row),3\n\(row.dropLast(2)),17,3\n").hasSuffix("row 2, column 64: pixel 17 is outside 0…16"))
        #expect(message("\(row),10\n").hasSuffix("row 1: label 10 is not a digit 0…9"))
        #expect(message("\(row),2.5\n").hasSuffix("row 1: label 2.5 is not a digit 0…9"))
        #expect(message("\(row),seven\n").contains("line 1, column 65: 'seven' is not a number"))
        #expect(message("\(row),1\n0,1\n").contains("line 2: the row has 2 fields, expected 65"))
        #expect(message("\(row),1\n").contains("no error"))
        #expect(message("1,2,3\n").contains(".csv: "))   // the file is named
        let missing = URL(fileURLWithPath: "/nonexistent/digits.csv")
        #expect(throws: CSVError.self) { try DigitsData.load(from: missing) }
    }

    @Test func commandLineFlags() throws {
        let command = ExampleCommand.digits
        let defaults = try command.parse([])
        #expect(defaults.text("model") == "cnn")
        #expect(defaults.text("evaluate") == nil)
        #expect(defaults.epochs == 15 && defaults.batchSize == 32 && defaults.learningRate == 0.01 && defaults.seed == 0)
        let chosen = try command.parse(["--model", "mlp", "--evaluate=out/mlp.safetensors", "--epochs", "2"])
        #expect(chosen.text("model") == "mlp")
        #expect(chosen.text("evaluate") == "out/mlp.safetensors")
        #expect(DigitsModel(rawValue: chosen.text("model")!) == .mlp)
        #expect(throws: UsageError("--model expects one of cnn, mlp, not 'rnn'")) { try command.parse(["--model", "rnn"]) }
        #expect(throws: UsageError("--evaluate needs a value")) { try command.parse(["--evaluate"]) }
        #expect(command.usage.contains("--model cnn|mlp"))
    }
}
