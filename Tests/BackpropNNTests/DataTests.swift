import Backprop
import Foundation
import Testing
@testable import BackpropNN

@Suite struct DataLoading {
    private let dataset = TensorDataset<Float>(inputs: Tensor(shape: [10, 2], scalars: (0..<20).map(Float.init)),
                                               labels: Array(0..<10))

    @Test func tensorDatasetBatchesRows() {
        let batch = dataset.batch(at: [3, 0, 3])
        #expect(batch.inputs == Tensor([[6, 7], [0, 1], [6, 7]]))
        #expect(batch.labels == [3, 0, 3])
    }

    @Test func loaderCoversEveryExampleOncePerPass() {
        let loader = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1)
        #expect(loader.batchCount == 3)
        let first = loader.map(\.labels)
        #expect(first.map(\.count) == [4, 4, 2])
        #expect(first.flatMap { $0 }.sorted() == Array(0..<10))
        let second = loader.map(\.labels)
        #expect(second.flatMap { $0 }.sorted() == Array(0..<10))
        #expect(first != second)                                   // a new order each pass
        let again = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1)
        #expect(again.map(\.labels) == first && again.map(\.labels) == second)   // a seed reproduces every pass
    }

    @Test func shuffleStateReplaysTheNextPasses() {
        let loader = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1)
        _ = loader.map(\.labels)
        let saved = loader.shuffleState
        let next = (loader.map(\.labels), loader.map(\.labels))
        let other = DataLoader(dataset, batchSize: 4, shuffle: true, seed: 2)
        #expect(other.shuffleState != saved)
        other.shuffleState = saved
        #expect(other.map(\.labels) == next.0 && other.map(\.labels) == next.1)
    }

    @Test func loaderKeepsOrderAndDropsTheLastPartialBatch() {
        let loader = DataLoader(dataset, batchSize: 4, dropLast: true)
        #expect(loader.map(\.labels) == [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    @Test func splitIsSeededAndDisjoint() {
        let (training, validation) = dataset.split(validationFraction: 0.3, seed: 4)
        #expect(training.count == 7 && validation.count == 3)
        #expect(Set(training.indices).isDisjoint(with: validation.indices))
        #expect(Set(training.indices + validation.indices) == Set(0..<10))
        #expect(dataset.split(validationFraction: 0.3, seed: 4).validation.indices == validation.indices)
        #expect(validation.batch(at: [0]).labels == [validation.indices[0]])
    }

    @Test func csvParsesNumbersWithHeaderAndLineEndings() throws {
        let table = try CSVTable(parsing: "x, y ,label\r\n1,2.5,0\r\n\n-3, 4e2 ,1\n", hasHeader: true)
        #expect(table.header == ["x", "y", "label"])
        #expect(table.rows == [[1, 2.5, 0], [-3, 400, 1]])
        #expect(table.tensor(columns: [0, 1]) as Tensor<Float> == Tensor([[1, 2.5], [-3, 400]]))
        #expect(table.column(2) == [0, 1])
    }

    @Test func csvErrorsNameTheLineAndColumn() {
        #expect(throws: CSVError(line: 3, column: 2, "'abc' is not a number")) {
            try CSVTable(parsing: "1,2\n3,4\n5,abc\n")
        }
        #expect(throws: CSVError(line: 2, column: nil, "has 3 fields, expected 2")) {
            try CSVTable(parsing: "1,2\n3,4,5\n")
        }
        #expect(throws: CSVError(line: 2, column: 1, "is empty")) {
            try CSVTable(parsing: "a;b\n;4\n", hasHeader: true, separator: ";")
        }
        let error = CSVError(file: "t.csv", line: 3, column: 2, "'abc' is not a number")
        #expect(error.description == "t.csv, line 3, column 2: 'abc' is not a number")
        #expect(CSVError(line: 2, column: nil, "has 3 fields, expected 2").description == "line 2: the row has 3 fields, expected 2")
    }

    @Test func csvFileErrorsNameTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.csv")
        do {
            _ = try CSVTable(contentsOf: missing)
            Issue.record("expected an error")
        } catch let error as CSVError {
            #expect(error.description.hasPrefix(missing.path + ": cannot be read"))
        }
        let bad = directory.appendingPathComponent("bad.csv")
        try "1,2\n3,x\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(throws: CSVError(file: bad.path, line: 2, column: 2, "'x' is not a number")) { try CSVTable(contentsOf: bad) }
        try Data([0xFF, 0xFE, 0x00]).write(to: bad)
        #expect(throws: CSVError(file: bad.path, "is not UTF-8 text")) { try CSVTable(contentsOf: bad) }
    }
}
