extension Variable {
    /// The recorded graph that produced this variable, in Graphviz DOT.
    ///
    /// Ops are boxes labelled with their name and output shape; leaves are
    /// ellipses, filled when they require a gradient. Render it with
    /// `dot -Tsvg graph.dot -o graph.svg`.
    public func makeDOT(title: String = "backprop") -> String {
        var ids: [ObjectIdentifier: Int] = [:]
        var nodes: [String] = [], edges: [String] = []
        var stack: [Variable] = [self]
        ids[ObjectIdentifier(self)] = 0
        while let node = stack.popLast() {
            let id = ids[ObjectIdentifier(node)]!
            let shape = describe(node.shape)
            if let op = node.op {
                nodes.append("  n\(id) [shape=box, label=\"\(op)\\n\(shape)\"];")
            } else {
                let style = node.requiresGrad ? ", style=filled, fillcolor=lightblue" : ""
                nodes.append("  n\(id) [shape=ellipse, label=\"\(node.requiresGrad ? "parameter" : "constant")\\n\(shape)\"\(style)];")
            }
            for input in node.inputs {
                let key = ObjectIdentifier(input)
                if ids[key] == nil {
                    ids[key] = ids.count
                    stack.append(input)
                }
                edges.append("  n\(ids[key]!) -> n\(id);")
            }
        }
        let name = title.replacingOccurrences(of: "\"", with: "\\\"")
        return (["digraph \"\(name)\" {", "  rankdir=LR;"] + nodes.reversed() + edges.reversed() + ["}"]).joined(separator: "\n") + "\n"
    }
}
