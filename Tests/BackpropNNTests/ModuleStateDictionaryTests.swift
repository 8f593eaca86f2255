import Backprop
import Testing
@testable import BackpropNN

private struct Net: Layer {
    let body = Sequential<Double>(Linear(inputSize: 3, outputSize: 4), ReLU(), Linear(inputSize: 4, outputSize: 2))
    let norm = BatchNorm1d<Double>(featureCount: 2)
    func callAsFunction(_ input: Variable<Double>) -> Variable<Double> { norm(body(input)) }
}

@Suite struct ModuleStateDictionary {
    static let names = ["body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias", "norm.weight", "norm.bias",
                        "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"]

    @Test func holdsEveryParameterAndBufferByDottedName() {
        let net = withRandomSeed(1) { Net() }
        let state = net.stateDictionary()
        #expect(state.keys.sorted() == Self.names.sorted())
        #expect(state["body.2.weight"] == net.body.layers[2].parameters()[0].value)
        #expect(state["norm.running_var"] == .ones([2]))
        #expect(state["norm.num_batches_tracked"]?.shape == [])
    }

    @Test func roundTripsIntoAFreshModel() throws {
        let source = withRandomSeed(1) { Net() }
        source.norm.runningMean.value = Tensor([0.5, -0.25])
        let target = withRandomSeed(2) { Net() }
        #expect(target.stateDictionary() != source.stateDictionary())
        try target.load(stateDictionary: source.stateDictionary())
        #expect(target.stateDictionary() == source.stateDictionary())
        let x = Variable(Tensor<Double>.uniform([5, 3], low: -1, high: 1, seed: 3))
        source.eval(); target.eval()
        #expect(target(x).value == source(x).value)
    }

    @Test func theDictionaryIsASnapshot() {
        let net = withRandomSeed(1) { Net() }
        let state = net.stateDictionary()
        let weight = net.norm.weight.value
        net.norm.weight.value = weight * 3
        #expect(state["norm.weight"] == weight)
    }

    @Test func strictLoadRefusesMissingAndUnexpectedKeysAndChangesNothing() {
        let net = withRandomSeed(1) { Net() }
        let before = net.stateDictionary()
        var state = withRandomSeed(2) { Net() }.stateDictionary()
        state["norm.bias"] = nil
        state["norm.running_mean"] = nil
        #expect(throws: StateDictionaryError.missingKeys(["norm.bias", "norm.running_mean"])) {
            try net.load(stateDictionary: state)
        }
        #expect(net.stateDictionary() == before)
        state = withRandomSeed(2) { Net() }.stateDictionary()
        state["head.weight"] = .zeros([1])
        #expect(throws: StateDictionaryError.unexpectedKeys(["head.weight"])) { try net.load(stateDictionary: state) }
        #expect(net.stateDictionary() == before)
        #expect(StateDictionaryError.unexpectedKeys(["head.weight"]).description
                == "state dictionary: the module has no tensors \"head.weight\" (pass strict: false to ignore them)")
    }

    @Test func aShapeMismatchThrowsEvenWhenNotStrict() {
        let net = withRandomSeed(1) { Net() }
        let before = net.stateDictionary()
        var state = withRandomSeed(2) { Net() }.stateDictionary()
        state["body.0.weight"] = .zeros([3, 4])
        for strict in [true, false] {
            #expect(throws: StateDictionaryError.shapeMismatch(name: "body.0.weight", expected: [4, 3], found: [3, 4])) {
                try net.load(stateDictionary: state, strict: strict)
            }
            #expect(net.stateDictionary() == before)
        }
        #expect(StateDictionaryError.shapeMismatch(name: "body.0.weight", expected: [4, 3], found: [3, 4]).description
                == "state dictionary: \"body.0.weight\" has shape [3, 4], but the module's has shape [4, 3]")
    }

    @Test func nonStrictLoadKeepsMissingTensorsAndIgnoresExtras() throws {
        let net = withRandomSeed(1) { Net() }
        let before = net.stateDictionary()
        let weight = Tensor<Double>([[1, 2, 3, 4], [5, 6, 7, 8]])
        try net.load(stateDictionary: ["body.2.weight": weight, "extra": .zeros([7])], strict: false)
        var expected = before
        expected["body.2.weight"] = weight
        #expect(net.stateDictionary() == expected)
    }

    @Test func freezeAndUnfreezeSetRequiresGradOnEveryParameter() {
        let net = withRandomSeed(1) { Net() }
        net.body.freeze()
        #expect(net.parameters().map(\.requiresGrad) == [false, false, false, false, true, true])
        let x = Variable(Tensor<Double>.uniform([4, 3], low: -1, high: 1, seed: 3))
        net(x).sum().backward()
        #expect(net.body.parameters().allSatisfy { $0.grad == nil })
        #expect(net.norm.bias.grad == .ones([2]) * 4)
        net.unfreeze()
        #expect(net.parameters().allSatisfy { $0.requiresGrad })
    }

    @Test func applyVisitsChildrenBeforeParents() {
        let net = withRandomSeed(1) { Net() }
        #expect(net.namedModules().map(\.name) == ["body.0", "body.1", "body.2", "body", "norm", ""])
        var visited: [String] = []
        net.apply { module in
            visited.append(String(describing: type(of: module)))
            if let linear = module as? Linear<Double> { linear.weight.value = .ones(linear.weight.shape) }
        }
        #expect(visited == ["Linear<Double>", "ReLU<Double>", "Linear<Double>", "Sequential<Double>", "BatchNormalization<Double, Channels1d>", "Net"])
        #expect(net.namedParameters().filter { $0.name.hasSuffix("weight") && $0.name.hasPrefix("body") }
            .allSatisfy { $0.parameter.value == .ones($0.parameter.shape) })
    }
}
