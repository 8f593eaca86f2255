import Backprop

/// Finds parameters, buffers, mode switches and random generators in a module's stored properties, by reflection
/// (or in the entries an ``ExplicitStateNames`` module lists).
enum ModuleWalk<Scalar: TensorScalar> {
    enum Item {
        case parameter(Variable<Scalar>)
        case buffer(Buffer<Scalar>)
        case mode(TrainingMode)
        case generator(RandomGenerator)
        /// A nested module, reported after everything inside it (PyTorch's `apply` order).
        case module(any Module)
    }

    /// Calls `visit` with the dotted path of every item reachable from `root`, in declaration order.
    /// Each object is visited once, under the first path that reaches it.
    static func walk(_ root: Any, _ visit: (String, Item) -> Void) {
        var seen: Set<ObjectIdentifier> = []
        func descend(_ value: Any, _ path: [String]) {
            switch value {
            case let variable as Variable<Scalar>:
                if seen.insert(ObjectIdentifier(variable)).inserted { visit(path.joined(separator: "."), .parameter(variable)) }
                return
            case let buffer as Buffer<Scalar>:
                if seen.insert(ObjectIdentifier(buffer)).inserted { visit(path.joined(separator: "."), .buffer(buffer)) }
                return
            case let mode as TrainingMode:
                if seen.insert(ObjectIdentifier(mode)).inserted { visit(path.joined(separator: "."), .mode(mode)) }
                return
            case let generator as RandomGenerator:
                if seen.insert(ObjectIdentifier(generator)).inserted { visit(path.joined(separator: "."), .generator(generator)) }
                return
            case is Tensor<Scalar>, is String, is any Numeric, is Bool, is [Scalar], is [Int]:
                return
            default:
                break
            }
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .class {
                // Guard against cycles through references.
                guard seen.insert(ObjectIdentifier(value as AnyObject)).inserted else { return }
            }
            defer { if mirror.displayStyle != .optional, let module = value as? any Module { visit(path.joined(separator: "."), .module(module)) } }
            if let named = value as? any ExplicitStateNames {
                for entry in named.stateEntries { descend(entry.value, path + [entry.key]) }
                return
            }
            switch mirror.displayStyle {
            case .optional:
                if let wrapped = mirror.children.first { descend(wrapped.value, path) }
            case .collection, .set:
                for (index, child) in mirror.children.enumerated() { descend(child.value, path + [String(index)]) }
            case .dictionary:
                // Entries sorted by key, for a stable order.
                let entries = mirror.children.compactMap { entry -> (String, Any)? in
                    let pair = Array(Mirror(reflecting: entry.value).children)
                    return pair.count == 2 ? ("\(pair[0].value)", pair[1].value) : nil
                }
                for (key, child) in entries.sorted(by: { $0.0 < $1.0 }) { descend(child, path + [key]) }
            default:
                for (index, child) in allChildren(mirror).enumerated() {
                    descend(child.value, path + [snakeCase(child.label ?? String(index))])
                }
            }
        }
        descend(root, [])
    }

    /// A mirror's children, a class's inherited properties first.
    private static func allChildren(_ mirror: Mirror) -> [Mirror.Child] {
        (mirror.superclassMirror.map(allChildren) ?? []) + Array(mirror.children)
    }
}

/// `runningMean` → `running_mean`, `weightIH` → `weight_ih`; a leading underscore is dropped.
func snakeCase(_ name: String) -> String {
    let trimmed = name.hasPrefix("_") ? String(name.dropFirst()) : name
    var result = ""
    var previousWasLower = false
    for character in trimmed {
        if character.isUppercase {
            if previousWasLower { result.append("_") }
            result.append(Character(character.lowercased()))
            previousWasLower = false
        } else {
            result.append(character)
            previousWasLower = character.isLowercase || character.isNumber
        }
    }
    return result
}
