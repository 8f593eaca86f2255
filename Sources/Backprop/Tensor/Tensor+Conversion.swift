extension Tensor {
    /// Converts each element to another element type, as PyTorch's `to(dtype)` does.
    ///
    /// - Floating-point to floating-point rounds to nearest.
    /// - Floating-point to `Int` truncates toward zero; a NaN, an infinity or a value
    ///   outside `Int`'s range stops with a message.
    /// - `Bool` becomes 0 or 1; any non-zero number becomes `true`.
    public func converted<Other: TensorElement>(to _: Other.Type = Other.self) -> Tensor<Other> {
        if let same = self as? Tensor<Other> { return same }
        _ = ElementBuffer(UnsafeBufferPointer<Other>(start: nil, count: 0))   // stops for an unknown type
        return withBuffer { source in
            Tensor<Other>(shape: shape) { out in
                switch ElementBuffer(source) {
                case .float(let x): convert(x, into: out)
                case .double(let x): convert(x, into: out)
                case .int(let x): convert(x, into: out)
                case .bool(let x): convert(x, into: out)
                }
            }
        }
    }
}

/// A buffer of one of the four element types the library converts between.
private enum ElementBuffer {
    case float(UnsafeBufferPointer<Float>)
    case double(UnsafeBufferPointer<Double>)
    case int(UnsafeBufferPointer<Int>)
    case bool(UnsafeBufferPointer<Bool>)

    init<E: TensorElement>(_ buffer: UnsafeBufferPointer<E>) {
        let raw = UnsafeRawBufferPointer(buffer)
        switch E.self {
        case is Float.Type: self = .float(raw.assumingMemoryBound(to: Float.self))
        case is Double.Type: self = .double(raw.assumingMemoryBound(to: Double.self))
        case is Int.Type: self = .int(raw.assumingMemoryBound(to: Int.self))
        case is Bool.Type: self = .bool(raw.assumingMemoryBound(to: Bool.self))
        default: programmerError("converted(to:): \(E.self) is not one of Float, Double, Int and Bool")
        }
    }
}

/// Writes each element of `source`, converted, into `out` (the same count).
private func convert<Source: TensorElement, Target: TensorElement>(
    _ source: UnsafeBufferPointer<Source>, into out: UnsafeMutableBufferPointer<Target>
) {
    let target = UnsafeMutableRawBufferPointer(out)
    func write<T>(_ as: T.Type, _ element: (Int) -> T) {
        let typed = target.assumingMemoryBound(to: T.self)
        for i in source.indices { typed[i] = element(i) }
    }
    switch ElementBuffer(source) {
    case .float(let x):
        switch Target.self {
        case is Double.Type: write(Double.self) { Double(x[$0]) }
        case is Int.Type: write(Int.self) { integer(x[$0]) }
        default: write(Bool.self) { x[$0] != 0 }
        }
    case .double(let x):
        switch Target.self {
        case is Float.Type: write(Float.self) { Float(x[$0]) }
        case is Int.Type: write(Int.self) { integer(x[$0]) }
        default: write(Bool.self) { x[$0] != 0 }
        }
    case .int(let x):
        switch Target.self {
        case is Float.Type: write(Float.self) { Float(x[$0]) }
        case is Double.Type: write(Double.self) { Double(x[$0]) }
        default: write(Bool.self) { x[$0] != 0 }
        }
    case .bool(let x):
        switch Target.self {
        case is Float.Type: write(Float.self) { x[$0] ? 1 : 0 }
        case is Double.Type: write(Double.self) { x[$0] ? 1 : 0 }
        default: write(Int.self) { x[$0] ? 1 : 0 }
        }
    }
}

/// A floating-point value truncated toward zero, or a stop naming the value that has no `Int`.
private func integer<F: BinaryFloatingPoint>(_ x: F) -> Int {
    guard let result = Int(exactly: x.rounded(.towardZero)) else {
        programmerError("converted(to:): \(x) has no Int value")
    }
    return result
}
