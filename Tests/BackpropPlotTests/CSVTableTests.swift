import Foundation
import Testing
@testable import BackpropPlot

@Suite struct CSVReading {
    @Test func csvParsesNumbersWithHeaderAndLineEndings() throws {
        let table = try CSVTable(parsing: "x, y ,label\r\n1,2.5,0\r\n\n-3, 4e2 ,1\n", hasHeader: true)
        #expect(table.header == ["x", "y", "label"])
        #expect(table.rows == [[1, 2.5, 0], [-3, 400, 1]])
        #expect(table.rows(columns: [2, 0]) == [[0, 1], [1, -3]])
        #expect(table.columnCount == 3)
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
