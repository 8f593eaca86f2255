extension Tensor: CustomStringConvertible {
    /// The elements as NumPy prints them: nested brackets, aligned columns, and
    /// `...` in place of the middle of each axis when there are over 1,000 elements.
    public var description: String {
        let abbreviate = count > 1000
        let edge = 3
        // The positions shown along an axis: all of them, or the first and last `edge` with a gap.
        func shown(_ axis: Int) -> [Int?] {
            let size = shape[axis]
            guard abbreviate && size > 2 * edge else { return (0..<size).map { $0 } }
            return (0..<edge).map { $0 } + [nil] + ((size - edge)..<size).map { $0 }
        }
        let strides = Shapes.strides(shape)
        var width = 0
        func collectWidth(_ axis: Int, _ offset: Int) {
            if axis == rank { width = Swift.max(width, self[flat: offset].description.count); return }
            for i in shown(axis) { if let i { collectWidth(axis + 1, offset + i * strides[axis]) } }
        }
        if count > 0 { collectWidth(0, 0) }
        func render(_ axis: Int, _ offset: Int) -> String {
            if axis == rank {
                let text = self[flat: offset].description
                return String(repeating: " ", count: width - text.count) + text
            }
            let parts = shown(axis).map { i in i.map { render(axis + 1, offset + $0 * strides[axis]) } ?? "..." }
            let indent = String(repeating: " ", count: axis + 1)
            let separator = axis == rank - 1 ? " " : String(repeating: "\n", count: rank - axis - 1) + indent
            return "[" + parts.joined(separator: separator) + "]"
        }
        return render(0, 0)
    }
}
