import Foundation

// scalar-chain on the least that a graph of one class instance per recorded op can be: the
// floor under Backprop's design, in which every op makes a `Variable`. The benchmark times it
// beside Backprop's own scalar-chain, so that a run shows how much of Backprop's time per op
// is the framework and how much is the design.

/// A node of the bare graph: a value, a gradient, up to two inputs, and which op made it.
/// No recording flag, no closures, no tensors. Its fields skip exclusivity checks, as
/// `Variable`'s do.
final class FloorNode {
    enum Op { case leaf, multiply, add, tanh }

    let value: Float
    let op: Op
    @exclusivity(unchecked) var gradient: Float = 0
    @exclusivity(unchecked) var x: FloorNode?
    @exclusivity(unchecked) var y: FloorNode?

    init(_ value: Float, _ op: Op, _ x: FloorNode? = nil, _ y: FloorNode? = nil) {
        self.value = value
        self.op = op
        self.x = x
        self.y = y
    }

    /// Passes this node's gradient to its inputs, with the arithmetic of Backprop's rules.
    func propagate() {
        switch op {
        case .leaf: return
        case .multiply:
            x!.gradient += gradient * y!.value
            y!.gradient += gradient * x!.value
        case .add:
            x!.gradient += gradient
            y!.gradient += gradient
        case .tanh:
            x!.gradient += gradient * (1 - value * value)
        }
    }
}

/// scalar-chain on bare nodes: x = tanh(x·w + b), 2,500 times, then backward to x₀, w and b.
/// Backward walks the chain it knows it built, rather than sorting a general graph; the
/// result and gradients match Backprop's bit for bit (checked by the benchmark).
struct FloorChain {
    let x0 = FloorNode(0.5, .leaf)
    let w = FloorNode(0.9, .leaf)
    let b = FloorNode(0.1, .leaf)

    @discardableResult
    func callAsFunction() -> Float {
        for leaf in [x0, w, b] { leaf.gradient = 0 }
        var x = x0
        for _ in 0..<2500 {
            let product = FloorNode(x.value * w.value, .multiply, x, w)
            let sum = FloorNode(product.value + b.value, .add, product, b)
            x = FloorNode(Foundation.tanh(sum.value), .tanh, sum)
        }
        var order: [Unmanaged<FloorNode>] = []          // last op first
        order.reserveCapacity(7500)
        var node = x
        while let input = node.x {
            order.append(.passUnretained(node))
            node = input
        }
        x.gradient = 1
        for reference in order { reference._withUnsafeGuaranteedRef { $0.propagate() } }
        // Free the graph first op first, as Backprop's sweep does, without recursion.
        for reference in order.reversed() {
            reference._withUnsafeGuaranteedRef { node in
                node.x = nil
                node.y = nil
            }
        }
        return x.value
    }
}
