import Backprop
import BackpropNN
import BackpropPlot
import Foundation

/// The 8×8 handwritten digits: grey images scaled to [0, 1] and their labels 0–9.
///
/// A ``Dataset``, so a `DataLoader` batches it directly: each batch's inputs
/// are `[n, 1, 8, 8]` (one channel, for a convolution) and its targets the labels.
public struct DigitsData: Dataset, Sendable {
    /// `[count, 1, 8, 8]`: pixel intensity 0–16 divided by 16.
    public let images: Tensor<Float>
    /// The digit in each image.
    public let labels: [Int]

    /// Reads the CSV file at `url`: one image a row, 64 pixels (0–16, row by row) then the label (0–9).
    /// - Throws: a `CSVError` for text that is not a numeric table, ``DigitsDataError`` for one
    ///   that is not digits; both name the file and the place.
    public static func load(from url: URL = BundledData.digitsCSV) throws -> DigitsData {
        do {
            return try DigitsData(table: CSVTable(contentsOf: url))
        } catch let error as DigitsDataError {
            throw DigitsDataError("\(url.path): \(error.message)")
        }
    }

    /// Checks and converts a parsed table.
    /// - Throws: ``DigitsDataError`` if the table is empty, does not have 65 columns, or holds a
    ///   pixel outside 0–16 or a label that is not a whole number from 0 to 9.
    public init(table: CSVTable) throws(DigitsDataError) {
        guard !table.rows.isEmpty else { throw DigitsDataError("holds no rows") }
        guard table.columnCount == 65 else {
            throw DigitsDataError("has \(table.columnCount) columns, expected 65 (64 pixels, then the label)")
        }
        var pixels: [Float] = []
        pixels.reserveCapacity(table.rows.count * 64)
        var labels: [Int] = []
        for (index, row) in table.rows.enumerated() {
            if let column = row.prefix(64).firstIndex(where: { !(0...16).contains($0) }) {
                throw DigitsDataError("row \(index + 1), column \(column + 1): pixel \(String(format: "%g", row[column])) is outside 0…16")
            }
            guard let label = Int(exactly: row[64]), (0...9).contains(label) else {
                throw DigitsDataError("row \(index + 1): label \(String(format: "%g", row[64])) is not a digit 0…9")
            }
            pixels += row.prefix(64).map { Float($0) / 16 }
            labels.append(label)
        }
        self.init(images: Tensor(shape: [labels.count, 1, 8, 8], scalars: pixels), labels: labels)
    }

    /// Wraps images `[count, 1, 8, 8]` and their labels.
    public init(images: Tensor<Float>, labels: [Int]) {
        precondition(images.shape == [labels.count, 1, 8, 8], "DigitsData: images \(images.shape) for \(labels.count) labels")
        (self.images, self.labels) = (images, labels)
    }

    /// The number of images.
    public var count: Int { labels.count }

    /// The images at `indices` as inputs `[n, 1, 8, 8]`, their labels as targets `[n]`.
    public func batch(at indices: [Int]) -> Batch<Float> {
        Batch(inputs: images.gathering(indices: indices, axis: 0), targets: Tensor(indices.map { Float(labels[$0]) }))
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> DigitsData {
        DigitsData(images: images.gathering(indices: indices, axis: 0), labels: indices.map { labels[$0] })
    }

    /// A seeded stratified split: of each digit's images, `testFraction` (rounded) go to the test set.
    /// Both parts keep the original order; the same seed gives the same split.
    public func split(testFraction: Double = 0.2, seed: UInt64) -> (training: DigitsData, test: DigitsData) {
        precondition((0...1).contains(testFraction), "split: test fraction \(testFraction) is not in [0, 1]")
        var generator = SeededGenerator(seed: seed)
        var test: [Int] = []
        for digit in 0...9 {
            var members = labels.indices.filter { labels[$0] == digit }
            for i in stride(from: members.count - 1, to: 0, by: -1) {    // Fisher–Yates, portable
                members.swapAt(i, Int(generator.next() % UInt64(i + 1)))
            }
            test += members.prefix(Int((Double(members.count) * testFraction).rounded()))
        }
        let inTest = Set(test)
        return (subset(labels.indices.filter { !inTest.contains($0) }), subset(test.sorted()))
    }
}

/// A table that is not the digits: wrong width, or a pixel or label out of range.
public struct DigitsDataError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, and where.
    public let message: String
    /// Creates an error with its message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
