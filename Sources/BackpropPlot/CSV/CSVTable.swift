import Foundation

/// A numeric table read from comma-separated text.
///
/// Every field must be a number (surrounding spaces are allowed); blank lines
/// are skipped. Anything else throws a ``CSVError`` naming the line and column.
public struct CSVTable: Sendable {
    /// The column names, when the text has a header line.
    public let header: [String]?
    /// The values, row by row; every row has ``columnCount`` values.
    public let rows: [[Double]]

    /// The number of columns.
    public var columnCount: Int { header?.count ?? rows.first?.count ?? 0 }

    /// Parses `text`.
    ///
    /// - Parameters:
    ///   - hasHeader: whether the first non-blank line names the columns.
    ///   - separator: the field separator.
    /// - Throws: ``CSVError`` for a field that is not a number or a row of the wrong length.
    public init(parsing text: String, hasHeader: Bool = false, separator: Character = ",") throws {
        var header: [String]? = nil
        var rows: [[Double]] = []
        // "\r\n" is one Character in Swift, and a newline: this splits on \n and \r\n alike.
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(separator: separator, omittingEmptySubsequences: false)
            if hasHeader && header == nil {
                header = fields.map { $0.trimmingCharacters(in: .whitespaces) }
                continue
            }
            let expected = header?.count ?? rows.first?.count ?? fields.count
            guard fields.count == expected else {
                throw CSVError(line: lineNumber, column: nil, "has \(fields.count) fields, expected \(expected)")
            }
            rows.append(try fields.enumerated().map { column, field in
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed) else {
                    throw CSVError(line: lineNumber, column: column + 1,
                                   trimmed.isEmpty ? "is empty" : "'\(trimmed.prefix(40))' is not a number")
                }
                return value
            })
        }
        (self.header, self.rows) = (header, rows)
    }

    /// Reads and parses the file at `url`.
    /// - Throws: ``CSVError`` if the file cannot be read or is malformed.
    public init(contentsOf url: URL, hasHeader: Bool = false, separator: Character = ",") throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CSVError(file: url.path, "cannot be read: \(readableDescription(of: error))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CSVError(file: url.path, "is not UTF-8 text") }
        do { try self.init(parsing: text, hasHeader: hasHeader, separator: separator) } catch var error as CSVError {
            error.file = url.path
            throw error
        }
    }

    /// The rows with only `columns`, in that order: a `[rows, columns.count]` matrix, ready for
    /// `Tensor(_:)`.
    public func rows(columns: [Int]) -> [[Double]] {
        precondition(columns.allSatisfy { $0 >= 0 && $0 < columnCount },
                     "CSVTable.rows(columns:): a column of \(columns) is outside 0..<\(columnCount)")
        return rows.map { row in columns.map { row[$0] } }
    }

    /// The values of one column.
    public func column(_ index: Int) -> [Double] { rows.map { $0[index] } }
}

/// Malformed CSV input, with where it was found.
public struct CSVError: Error, CustomStringConvertible, Equatable {
    /// The file, when read from one.
    public var file: String?
    /// The 1-based line, if the problem is on one.
    public let line: Int?
    /// The 1-based column, if the problem is in one field.
    public let column: Int?
    /// What is wrong.
    public let reason: String

    init(file: String? = nil, line: Int? = nil, column: Int?, _ reason: String) {
        (self.file, self.line, self.column, self.reason) = (file, line, column, reason)
    }

    init(file: String, _ reason: String) { self.init(file: file, line: nil, column: nil, reason) }

    public var description: String {
        let place = [file.map { "\($0)" }, line.map { "line \($0)" }, column.map { "column \($0)" }].compactMap { $0 }
        return (place.isEmpty ? "CSV" : place.joined(separator: ", ")) + ": " + (column == nil && line != nil ? "the row " : "")
            + reason
    }
}
