import Foundation

/// Why a safetensors file could not be read or written.
///
/// Every message names the file and, where one is at fault, the tensor.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// No file exists at the URL.
    case missingFile(URL)
    /// The file exists but could not be read, or could not be written.
    case ioFailure(URL, reason: String)
    /// The file ends before the header length, the header, or a tensor's data.
    case truncated(URL, reason: String)
    /// The header is not a UTF-8 JSON object, or its `__metadata__` is not an object of strings.
    case invalidHeader(URL, reason: String)
    /// A tensor's entry lacks a `dtype`, `shape` or `data_offsets`, or holds negative or
    /// non-integer values, or a shape whose sizes other than 0 multiply past `Int.max`; also a
    /// tensor named `__metadata__` on writing.
    case invalidEntry(URL, tensor: String, reason: String)
    /// A tensor is stored in a type other than F16, BF16, F32 or F64.
    case unsupportedDtype(URL, tensor: String, dtype: String)
    /// A tensor's byte range does not hold its shape's element count times its dtype's size.
    case sizeMismatch(URL, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, actualBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingData(URL, tensor: String, other: String)

    /// A message naming the file and, where one is at fault, the tensor.
    public var description: String {
        switch self {
        case .missingFile(let url):
            return "\(url.path): no such file"
        case let .ioFailure(url, reason), let .truncated(url, reason), let .invalidHeader(url, reason):
            return "\(url.path): \(reason)"
        case let .invalidEntry(url, tensor, reason):
            return "\(url.path): tensor \"\(tensor)\": \(reason)"
        case let .unsupportedDtype(url, tensor, dtype):
            return "\(url.path): tensor \"\(tensor)\": dtype \(dtype) is not supported (F16, BF16, F32, F64, I32, I64 and BOOL are)"
        case let .sizeMismatch(url, tensor, shape, dtype, expected, actual):
            return "\(url.path): tensor \"\(tensor)\": shape \(shape) of \(dtype) needs \(expected) bytes, "
                + "but its data_offsets span \(actual)"
        case let .overlappingData(url, tensor, other):
            return "\(url.path): tensor \"\(tensor)\": its data overlaps that of tensor \"\(other)\""
        }
    }
}

/// Why a file could not be read or written, in words: a Foundation file error's underlying
/// system reason ("Permission denied"), which `localizedDescription` leaves out on Linux; any
/// other error's own description.
///
/// BackpropPlot's `readableDescription(of:)` does the same for the programs' messages; this
/// copy is internal because BackpropNN does not depend on BackpropPlot.
func failureReason(of error: any Error) -> String {
    let bridged = error as NSError
    if let underlying = bridged.userInfo[NSUnderlyingErrorKey] as? any Error { return failureReason(of: underlying) }
    switch bridged.domain {
    case NSPOSIXErrorDomain: return String(cString: strerror(Int32(bridged.code)))
    case NSCocoaErrorDomain: return bridged.localizedDescription
    default: return String(describing: error)
    }
}
