import BackpropExamples
import Foundation
import Testing

@Suite struct BundledDataTests {
    @Test func digitsFileIsBundledWithItsNotice() throws {
        let csv = BundledData.digitsCSV
        #expect(FileManager.default.fileExists(atPath: csv.path))
        let notice = csv.deletingLastPathComponent().appendingPathComponent("README.md")
        #expect(try String(contentsOf: notice, encoding: .utf8).contains("CC BY 4.0"))
    }
}
