/// A programmer error in an operation's arguments: mismatched shapes, a bad axis, a wrong count.
///
/// Operations stop the program with this message and the caller's line (``programmerError(_:)``), since no
/// caller can recover from a wrong shape. The throwing checks that produce it
/// are internal, so that tests can read each message.
struct ShapeError: Error, Equatable, CustomStringConvertible {
    let message: String
    init(_ op: String, _ detail: String) { message = "\(op): \(detail)" }
    var description: String { message }
}

/// Runs a shape check, stopping the program with its message if it fails.
@inline(__always)
func checked<T>(_ body: () throws(ShapeError) -> T) -> T {
    do { return try body() } catch { programmerError(error.message) }
}

/// Formats a shape the way messages show it: `[2, 3]`.
func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

enum Shapes {
    /// The number of elements in a tensor of `shape`.
    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The element counts before and after `axis`: `shape` viewed as `[outer, shape[axis], inner]`.
    static func outerAndInner(_ shape: [Int], around axis: Int) -> (outer: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[(axis + 1)...].reduce(1, *))
    }

    /// `shape` reduced along a resolved `axis`: that size 1, or the axis gone.
    static func reducing(_ shape: [Int], axis: Int, keepDims: Bool) -> [Int] {
        var reduced = shape
        if keepDims { reduced[axis] = 1 } else { reduced.remove(at: axis) }
        return reduced
    }

    /// Row-major strides of a contiguous tensor of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// Validates a shape: no negative sizes.
    static func validate(_ shape: [Int], op: String) throws(ShapeError) {
        if shape.contains(where: { $0 < 0 }) { throw ShapeError(op, "shape \(describe(shape)) has a negative size") }
    }

    /// The shape two operands broadcast to, by NumPy's rules.
    static func broadcast(_ a: [Int], _ b: [Int], op: String) throws(ShapeError) -> [Int] {
        if a == b { return a }
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else {
                throw ShapeError(op, "\(describe(a)) and \(describe(b)) do not broadcast: sizes \(x) and \(y) differ at axis \(i)")
            }
            result[i] = x == 1 ? y : x
        }
        return result
    }

    /// Strides that read a tensor of `shape` as if it had the larger shape `target` (0 on broadcast axes).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        return target.indices.map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }

    /// Resolves a possibly negative axis against `rank`.
    static func axis(_ axis: Int, rank: Int, op: String) throws(ShapeError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else {
            throw ShapeError(op, "axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return resolved
    }

    /// Resolves the target of a reshape, which may hold one -1 to infer.
    static func reshape(_ shape: [Int], to target: [Int], op: String = "reshaped") throws(ShapeError) -> [Int] {
        let count = Shapes.count(shape)
        let inferred = target.indices.filter { target[$0] == -1 }
        guard inferred.count <= 1, !target.contains(where: { $0 < -1 }) else {
            throw ShapeError(op, "\(describe(shape)) → \(describe(target)): at most one size may be -1, and none below it")
        }
        var result = target
        if let i = inferred.first {
            let known = target.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else {
                throw ShapeError(op, "\(describe(shape)) → \(describe(target)): \(count) elements do not divide into that shape")
            }
            result[i] = count / known
        }
        guard Shapes.count(result) == count else {
            throw ShapeError(op, "\(describe(shape)) → \(describe(target)): \(count) elements cannot fill \(Shapes.count(result))")
        }
        return result
    }

    /// Checks that `permutation` is a permutation of the axes of a tensor of `rank`.
    static func permutation(_ permutation: [Int], rank: Int, op: String = "permuted") throws(ShapeError) -> [Int] {
        var resolved: [Int] = []
        for a in permutation { resolved.append(try axis(a, rank: rank, op: op)) }
        guard resolved.count == rank, Set(resolved).count == rank else {
            throw ShapeError(op, "\(permutation) is not a permutation of \(rank) axes")
        }
        return resolved
    }
}
