// The scalar fast path of the backward sweep, layered on the plain sweep of
// Variable+Backward.swift at two points: where a gradient is added to a node's sum
// (`addAsNumber`), and where a node is visited (`passOnAsNumber`).
//
// In a first-order sweep the gradient of a one-element node is kept as a plain number, and
// an op that recorded a rule on numbers hands it on to its inputs without making a
// variable, so a graph of scalars is swept without allocating. A sweep that records itself
// (`createGraph`) never takes this path: it needs the VJPs' variables.

extension Variable {
    /// An op's derivative on plain numbers, for an op whose inputs and output each hold one
    /// element: ∂L/∂x and ∂L/∂y from the upstream gradient, the output and the inputs' values
    /// (y is 0 for an op of one input). A first-order sweep uses it instead of the ``VJP``.
    /// The rule and the VJP call the same derivative function (see `DerivativeArithmetic`),
    /// so both give the same bits.
    typealias ScalarVJP = (_ upstream: Number<Scalar>, _ output: Number<Scalar>, _ x: Number<Scalar>,
                           _ y: Number<Scalar>) -> (Number<Scalar>, Number<Scalar>)
}

extension GradientSums {
    /// Adds `gradient` to `node`'s sum as a number, if this sweep keeps that node's gradient
    /// as one (a first-order sweep, a one-element node); returns whether it did.
    @inline(__always)
    mutating func addAsNumber(_ gradient: Variable<Scalar>, to node: Variable<Scalar>) -> Bool {
        guard keepsNumbers && node.value.count == 1 else { return false }
        add(gradient.value.scalar, to: node)
        return true
    }

    /// Visits `reference`'s node on numbers, if only a number waits there and the node
    /// recorded a rule on numbers (and is not one of the sweep's targets, which are given
    /// their gradient as a variable, nor has hooks): the rule hands the number on to the node's inputs.
    /// Returns whether it did; if not, the plain sweep visits the node.
    @inline(__always)
    mutating func passOnAsNumber(at reference: Unmanaged<Variable<Scalar>>,
                                 unless isTarget: (Variable<Scalar>) -> Bool) -> Bool {
        reference._withUnsafeGuaranteedRef { node in
            guard node.isRecorded, node.pending.hasNumber, node.pending.variable == nil,
                  let rule = node.scalarVJP, !node.hasAnnotations, !isTarget(node) else { return false }
            node.pending.hasNumber = false
            propagate(node.pending.number, from: node, through: rule)
            return true
        }
    }

    /// Hands `upstream` through `rule` to `node`'s one or two inputs, which it reads through
    /// unretained references: the node holds them.
    @inline(__always)
    private mutating func propagate(_ upstream: Scalar, from node: Variable<Scalar>, through rule: Variable<Scalar>.ScalarVJP) {
        let x = node.unretainedInput(0)
        let y = node.inputCount > 1 ? node.unretainedInput(1) : nil
        let (xValue, xVersion) = x._withUnsafeGuaranteedRef { ($0.value.scalar, $0.version) }
        let (yValue, yVersion) = y?._withUnsafeGuaranteedRef { ($0.value.scalar, $0.version) } ?? (0, 0)
        // The plain sweep's check of saved values, on the numbers already read: a scalar op has at most two inputs.
        if node.savesValues && (xVersion != node.savedVersions.first || yVersion != node.savedVersions.second
                                || node.version != 0) {
            node.checkSavedValues()
        }
        let (dx, dy) = rule(Number(upstream), Number(node.value.scalar), Number(xValue), Number(yValue))
        x._withUnsafeGuaranteedRef { if $0.requiresGrad { add(dx.value, to: $0) } }
        y?._withUnsafeGuaranteedRef { if $0.requiresGrad { add(dy.value, to: $0) } }
    }

    /// Adds a number to the sum waiting at a one-element node.
    @inline(__always)
    private mutating func add(_ gradient: Scalar, to node: Variable<Scalar>) {
        withPending(of: node) { $0.add(gradient) }
    }
}
