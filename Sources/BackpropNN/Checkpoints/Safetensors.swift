import Backprop
import Foundation

/// Writes tensors to a safetensors file, the checkpoint format of PyTorch and Hugging Face.
///
/// The file holds an 8-byte little-endian header length N, then N bytes of
/// JSON header, padded with spaces to a multiple of 8, that give each
/// tensor's `dtype`, `shape` and `data_offsets`, then the tensors' elements,
/// little-endian, one after another in the order of their names. `Float`
/// tensors are stored as F32, `Double` as F64, `Int` as I64 and `Bool` as BOOL.
///
/// The write is atomic: the file is written under a temporary name in the
/// same directory and then renamed over `url`, so a failure never leaves a
/// partly written file there, and an existing file stays as it was.
///
/// - Parameters:
///   - tensors: The tensors to write, by name.
///   - url: The file to create or replace. Its directory must exist.
///   - metadata: Strings stored under the header's `__metadata__` key.
/// - Throws: ``SafetensorsError/invalidEntry(_:tensor:reason:)`` for a tensor
///   named `__metadata__`, and ``SafetensorsError/ioFailure(_:reason:)`` if the
///   file cannot be written.
public func saveSafetensors<S: TensorElement>(_ tensors: [String: Tensor<S>], to url: URL,
                                             metadata: [String: String] = [:]) throws {
    let dtype = SafetensorsDtype.of(S.self)
    let sorted = tensors.sorted { $0.key < $1.key }
    var header: [String: Any] = [:]
    var offset = 0
    for (name, tensor) in sorted {
        guard name != SafetensorsFile.metadataKey else {
            throw SafetensorsError.invalidEntry(url, tensor: name, reason: "the name is reserved for the metadata")
        }
        let end = offset + tensor.count * dtype.byteCount
        header[name] = ["dtype": dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, end]] as [String: Any]
        offset = end
    }
    if !metadata.isEmpty { header[SafetensorsFile.metadataKey] = metadata }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
    json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
    try writeAtomically(to: url) { handle in
        try handle.write(contentsOf: withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) })
        try handle.write(contentsOf: json)
        for (_, tensor) in sorted { try handle.write(contentsOf: littleEndianBytes(tensor.scalars)) }
    }
}

/// Reads every tensor of a safetensors file, converting its elements to `S`.
///
/// Into `Float` and `Double` tensors load every dtype this library reads: F16, BF16,
/// F32, F64, I32, I64 and BOOL (as 0 and 1). Into `Int` tensors load I32, I64 and
/// BOOL, and into `Bool` tensors BOOL alone. The whole file is checked before anything is
/// returned: the header length, the JSON, every entry, and that the byte
/// ranges match the shapes, lie inside the file and do not overlap.
///
/// - Parameter url: The file to read.
/// - Returns: The tensors, by name.
/// - Throws: A ``SafetensorsError`` that names the file and the tensor at fault.
public func loadSafetensors<S: TensorElement>(from url: URL) throws -> [String: Tensor<S>] {
    try SafetensorsFile(contentsOf: url).tensors()
}

/// Reads the `__metadata__` strings of a safetensors file; empty if it has none.
///
/// - Parameter url: The file to read.
/// - Throws: A ``SafetensorsError`` if the file is not a valid safetensors file.
public func loadSafetensorsMetadata(from url: URL) throws -> [String: String] {
    try SafetensorsFile(contentsOf: url).metadata
}

/// The element types this library reads. Others, such as U8 or F8_E4M3, are rejected.
/// PyTorch stores BatchNorm's `num_batches_tracked` as I64, and masks as BOOL.
enum SafetensorsDtype: String {
    case f16 = "F16", bf16 = "BF16", f32 = "F32", f64 = "F64", i32 = "I32", i64 = "I64", bool = "BOOL"

    /// The type a tensor of `S` is written as.
    static func of<S: TensorElement>(_: S.Type) -> SafetensorsDtype {
        switch S.self {
        case is Double.Type: return .f64
        case is Int.Type: return .i64
        case is Bool.Type: return .bool
        default: return .f32
        }
    }

    /// The size of one element.
    var byteCount: Int {
        switch self {
        case .bool: return 1
        case .f16, .bf16: return 2
        case .f32, .i32: return 4
        case .f64, .i64: return 8
        }
    }

    /// Whether elements of this type load into a tensor of `S` without losing their meaning:
    /// anything into floating point, integers and booleans into `Int`, booleans into `Bool`.
    func loads<S: TensorElement>(into _: S.Type) -> Bool {
        switch S.self {
        case is Int.Type: return self == .i32 || self == .i64 || self == .bool
        case is Bool.Type: return self == .bool
        default: return true
        }
    }

    /// The little-endian elements in `bytes` as a tensor of `shape`, converted to `S`.
    func decode<S: TensorElement>(_ bytes: UnsafeRawBufferPointer, shape: [Int]) -> Tensor<S> {
        switch self {
        case .f16: return tensor(shape, elements(of: bytes, as: UInt16.self) { floatFromHalf($0) })
        case .bf16: return tensor(shape, elements(of: bytes, as: UInt16.self) { Float(bitPattern: UInt32($0) << 16) })
        case .f32: return tensor(shape, elements(of: bytes, as: UInt32.self) { Float(bitPattern: $0) })
        case .f64: return tensor(shape, elements(of: bytes, as: UInt64.self) { Double(bitPattern: $0) })
        case .i32: return tensor(shape, elements(of: bytes, as: UInt32.self) { Int(Int32(bitPattern: $0)) })
        case .i64: return tensor(shape, elements(of: bytes, as: UInt64.self) { Int(Int64(bitPattern: $0)) })
        case .bool: return tensor(shape, elements(of: bytes, as: UInt8.self) { $0 != 0 })
        }
    }

    private func tensor<E: TensorElement, S: TensorElement>(_ shape: [Int], _ scalars: [E]) -> Tensor<S> {
        Tensor(shape: shape, scalars: scalars).converted(to: S.self)
    }
}

/// A safetensors file whose header has been read and checked.
struct SafetensorsFile {
    /// The header key that holds the metadata rather than a tensor.
    static let metadataKey = "__metadata__"

    /// One tensor's entry; `range` is its bytes' position within the whole file.
    struct Entry {
        let name: String
        let dtype: SafetensorsDtype
        let shape: [Int]
        let range: Range<Int>
    }

    /// The file, for messages.
    let url: URL
    let bytes: Data
    let entries: [Entry]
    let metadata: [String: String]

    /// Reads and checks the file at `url`.
    init(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw SafetensorsError.missingFile(url) }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw SafetensorsError.ioFailure(url, reason: "cannot be read: \(failureReason(of: error))")
        }
        try self.init(bytes: bytes, url: url)
    }

    /// Checks `bytes`, the contents of `url`, which error messages name.
    init(bytes: Data, url: URL) throws {
        let bytes = bytes.startIndex == 0 ? bytes : Data(bytes)      // indices from 0, even for a slice
        guard bytes.count >= 8 else {
            throw SafetensorsError.truncated(url, reason: "the file holds \(bytes.count) bytes, fewer than the 8 of the header length")
        }
        let headerLength = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafetensorsError.truncated(url, reason: "the header length is \(headerLength) bytes, but only \(bytes.count - 8) follow it")
        }
        let dataStart = 8 + Int(headerLength)
        let object = try Self.parseHeader(bytes[8..<dataStart], url: url)
        let metadata = object[Self.metadataKey]
        guard metadata == nil || metadata is [String: String] else {
            throw SafetensorsError.invalidHeader(url, reason: "the header's \(Self.metadataKey) is not an object of strings")
        }
        let entries = try object.keys.sorted().filter { $0 != Self.metadataKey }.map { name in
            try Self.entry(name, object[name] as Any, dataStart: dataStart, dataCount: bytes.count - dataStart, url: url)
        }
        try Self.checkNoOverlap(entries, url: url)
        self.url = url
        self.bytes = bytes
        self.entries = entries
        self.metadata = metadata as? [String: String] ?? [:]
    }

    /// The tensors, converted to `S`.
    func tensors<S: TensorElement>() throws -> [String: Tensor<S>] {
        if let entry = entries.first(where: { !$0.dtype.loads(into: S.self) }) {
            throw SafetensorsError.invalidEntry(url, tensor: entry.name,
                                                reason: "its \(entry.dtype.rawValue) elements do not load into a tensor of \(S.self)")
        }
        return bytes.withUnsafeBytes { raw in
            Dictionary(uniqueKeysWithValues: entries.map { entry in
                (entry.name, entry.dtype.decode(UnsafeRawBufferPointer(rebasing: raw[entry.range]), shape: entry.shape))
            })
        }
    }

    /// The header as a JSON object.
    private static func parseHeader(_ header: Data, url: URL) throws -> [String: Any] {
        guard String(data: header, encoding: .utf8) != nil else {
            throw SafetensorsError.invalidHeader(url, reason: "the header is not UTF-8 text")
        }
        guard let json = try? JSONSerialization.jsonObject(with: header) else {
            throw SafetensorsError.invalidHeader(url, reason: "the header is not valid JSON")
        }
        guard let object = json as? [String: Any] else {
            throw SafetensorsError.invalidHeader(url, reason: "the header is not a JSON object")
        }
        return object
    }

    /// Checks one tensor's entry against the data section, which starts at byte `dataStart` and holds `dataCount` bytes.
    private static func entry(_ name: String, _ value: Any, dataStart: Int, dataCount: Int, url: URL) throws -> Entry {
        func invalid(_ reason: String) -> SafetensorsError { .invalidEntry(url, tensor: name, reason: reason) }
        guard let fields = value as? [String: Any] else { throw invalid("its entry is not a JSON object") }
        func integers(_ key: String) throws -> [Int] {
            guard let values = fields[key] as? [Any] else { throw invalid("it has no \(key) array") }
            return try values.map { element in
                guard let integer = nonNegativeInteger(element) else {
                    throw invalid("its \(key) holds \(element), which is not a non-negative integer")
                }
                return integer
            }
        }
        guard let dtypeName = fields["dtype"] as? String else { throw invalid("it has no dtype string") }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2, offsets[0] <= offsets[1] else {
            throw invalid("its data_offsets \(offsets) are not a pair [begin, end] with begin ≤ end")
        }
        guard let dtype = SafetensorsDtype(rawValue: dtypeName) else {
            throw SafetensorsError.unsupportedDtype(url, tensor: name, dtype: dtypeName)
        }
        guard let byteCount = Self.byteCount(shape, dtype) else {
            throw invalid("its shape \(shape) is too large: the product of its sizes overflows a 64-bit count")
        }
        guard offsets[1] - offsets[0] == byteCount else {
            throw SafetensorsError.sizeMismatch(url, tensor: name, shape: shape, dtype: dtypeName,
                                                expectedBytes: byteCount, actualBytes: offsets[1] - offsets[0])
        }
        guard offsets[1] <= dataCount else {
            throw SafetensorsError.truncated(url, reason: "tensor \"\(name)\" ends at byte \(offsets[1]) of the data, "
                                                 + "but the file holds only \(dataCount) bytes of data")
        }
        return Entry(name: name, dtype: dtype, shape: shape, range: dataStart + offsets[0] ..< dataStart + offsets[1])
    }

    /// The bytes a tensor of `shape` and `dtype` needs, or nil if a count overflows.
    ///
    /// The sizes other than 0 must multiply without overflow even when a 0 makes the tensor
    /// empty: `[2⁶², 2⁶², 0]` holds no element, but its element count overflows if taken left
    /// to right (as Python's safetensors does, refusing such a shape) and its row-major
    /// strides overflow in any order. Bounding the product of the non-zero sizes bounds every
    /// partial product a tensor of the shape computes.
    private static func byteCount(_ shape: [Int], _ dtype: SafetensorsDtype) -> Int? {
        var count = dtype.byteCount
        for size in shape where size != 0 {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return shape.contains(0) ? 0 : count
    }

    /// Throws if the byte ranges of two non-empty tensors overlap.
    private static func checkNoOverlap(_ entries: [Entry], url: URL) throws {
        let byStart = entries.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (previous, next) in zip(byStart, byStart.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw SafetensorsError.overlappingData(url, tensor: next.name, other: previous.name)
        }
    }
}

/// A JSON number that is a non-negative integer (not a Boolean, not a fraction), or nil.
private func nonNegativeInteger(_ value: Any) -> Int? {
    guard let number = value as? NSNumber, type(of: number) != type(of: NSNumber(value: true)),
          let integer = number as? Int, integer >= 0 else { return nil }
    return integer
}

/// The little-endian elements of type `Raw` in `bytes`, each converted by `convert`.
private func elements<Raw: FixedWidthInteger, S>(of bytes: UnsafeRawBufferPointer, as _: Raw.Type,
                                                  _ convert: (Raw) -> S) -> [S] {
    stride(from: 0, to: bytes.count, by: MemoryLayout<Raw>.size).map { offset in
        convert(Raw(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Raw.self)))
    }
}

/// The Float equal to an IEEE 754 half-precision bit pattern; exact, since every half is a Float.
func floatFromHalf(_ bits: UInt16) -> Float {
    let sign: Float = bits >> 15 == 0 ? 1 : -1
    let exponent = Int(bits >> 10 & 0x1F)
    let fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24                               // zero and subnormals
    case 0x1F: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1024 + fraction) * Float(sign: .plus, exponent: exponent - 25, significand: 1)
    }
}

/// The elements' bytes in little-endian order.
func littleEndianBytes<S: TensorElement>(_ scalars: [S]) -> Data {
    var data = scalars.withUnsafeBytes { Data($0) }
    #if _endian(big)
    let width = MemoryLayout<S>.size
    for start in stride(from: 0, to: data.count, by: width) { data[start ..< start + width].reverse() }
    #endif
    return data
}

/// Writes a file through `body` under a temporary name beside `url`, then renames it over `url`.
///
/// rename(2) replaces the destination in one step, so readers see the old
/// file or the new one, never part of one. If anything fails, the temporary
/// file is removed and whatever was at `url` stays as it was.
func writeAtomically(to url: URL, _ body: (FileHandle) throws -> Void) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw SafetensorsError.ioFailure(url, reason: "cannot create a file in \(directory.path)")
    }
    do {
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            try body(handle)
            try handle.synchronize()
        } catch {
            try? handle.close()
            throw error
        }
        try handle.close()
        guard rename(temporary.path, url.path) == 0 else {
            throw SafetensorsError.ioFailure(url, reason: "cannot replace the file: \(String(cString: strerror(errno)))")
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw error as? SafetensorsError ?? .ioFailure(url, reason: "cannot be written: \(failureReason(of: error))")
    }
}
