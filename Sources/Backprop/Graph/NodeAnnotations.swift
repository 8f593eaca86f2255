import Runtime

/// What a few nodes carry beyond their record: gradient hooks, the ``Variable/retainGrad()``
/// flag, and, inside ``detectingAnomalies(_:)``, where the op was recorded.
final class NodeAnnotations<Scalar: TensorScalar> {
    /// The hooks in the order they were registered, each with the identity of its handle.
    var hooks: [(handle: ObjectIdentifier, body: (Variable<Scalar>) -> Variable<Scalar>?)] = []
    /// Whether a backward sweep stores this non-leaf node's gradient in its `grad`.
    var retainsGrad = false
    /// The stack when the op was recorded, symbolicated only if an anomaly is reported.
    var recordedAt: Backtrace?
    /// A backward pass of this node's own, which `backward()` runs instead of the sweep when it
    /// returns true: a compiled call's result adds the replayed gradients to the parameters.
    var directBackward: ((_ node: Variable<Scalar>, _ seed: Tensor<Scalar>) -> Bool)?

    /// Whether the node carries nothing but its direct backward pass: no hook, no retained
    /// gradient, no record of where it was made.
    var holdsOnlyDirectBackward: Bool { directBackward != nil && hooks.isEmpty && !retainsGrad && recordedAt == nil }

    /// The gradient that reached `node`, after its hooks, in order, saw or replaced it; and, in a
    /// backward call (`retaining`) for a node that retains its gradient, added to its `grad`.
    func pass(_ gradient: Variable<Scalar>, at node: Variable<Scalar>, retaining: Bool) -> Variable<Scalar> {
        var gradient = gradient
        for (i, hook) in hooks.enumerated() {
            guard let replacement = hook.body(gradient) else { continue }
            guard replacement.shape == gradient.shape else {
                programmerError("registerHook: hook \(i) of a \(node.op.map { "'\($0)' result" } ?? "leaf") of shape "
                                + "\(describe(node.shape)) returned a gradient of shape \(describe(replacement.shape))")
            }
            gradient = replacement
        }
        if retaining && retainsGrad && !node.isLeaf {
            node.grad = node.grad.map { $0 + gradient.value } ?? gradient.value
        }
        return gradient
    }
}

/// Removes a gradient hook: returned by ``Variable/registerHook(_:)``.
public final class HookHandle {
    private let removal: (ObjectIdentifier) -> Void

    init(removal: @escaping (ObjectIdentifier) -> Void) { self.removal = removal }

    /// Removes the hook; removing it twice does nothing.
    public func remove() { removal(ObjectIdentifier(self)) }
}

extension Variable {
    /// Keeps this intermediate variable's gradient: each `backward()` through it adds ∂L/∂self to ``grad``.
    ///
    /// A leaf's gradient is kept anyway. As in PyTorch, ``gradients(of:wrt:seed:createGraph:retainGraph:)``
    /// leaves `grad` alone, and the gradient kept is the one the hooks passed on.
    public func retainGrad() {
        guard !isLeaf else { return }
        madeAnnotations.retainsGrad = true
    }

    /// Calls `hook` with this variable's gradient each time a sweep passes through it, after the
    /// gradients of all its uses have been summed and before they flow on to its inputs (or, for a
    /// leaf, before they are added to ``grad``).
    ///
    /// The hook observes the gradient, or replaces it by returning another of the same shape;
    /// nil keeps it. Hooks run in the order they were registered. In a sweep with
    /// `createGraph: true` the gradient is itself recorded, so a replacement written with
    /// Variable ops is differentiated too.
    ///
    /// - Returns: a handle whose `remove()` unregisters the hook.
    @discardableResult
    public func registerHook(_ hook: @escaping (_ gradient: Variable) -> Variable?) -> HookHandle {
        let annotations = madeAnnotations
        let handle = HookHandle { [weak annotations] id in annotations?.hooks.removeAll { $0.handle == id } }
        annotations.hooks.append((ObjectIdentifier(handle), hook))
        return handle
    }
}
