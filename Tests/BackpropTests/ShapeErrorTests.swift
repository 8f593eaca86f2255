import Testing
@testable import Backprop

// Each programmer error stops the process with a message that names the op and
// the shapes. Exit tests run each case in a child process and read its stderr.

private func expectMessage(_ result: ExitTest.Result?, _ message: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let stderr = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? "(no result)"
    #expect(stderr.contains(message), "stderr was: \(stderr)", sourceLocation: sourceLocation)
}

@Suite struct ProgrammerErrorsStopWithAMessage {
    @Test func matmulInnerDimensions() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Variable<Float>(Tensor.zeros([2, 3])), Variable(Tensor.zeros([4, 5])))
        }
        expectMessage(result, "matmul: [2, 3] × [4, 5]: inner dimensions 3 and 4 differ")
    }

    @Test func matmulBatchAxes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor<Float>.zeros([2, 3, 4]), Tensor.zeros([3, 4, 5]))
        }
        expectMessage(result, "matmul: [2, 3, 4] × [3, 4, 5]: batch axes [2] and [3] do not broadcast")
    }

    @Test func broadcastMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([2, 3])) + Variable(Tensor.zeros([4]))
        }
        expectMessage(result, "add: [2, 3] and [4] do not broadcast: sizes 3 and 4 differ at axis 1")
    }

    @Test func inPlaceUpdateShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var t = Tensor<Float>.zeros([2, 3])
            t.update(with: Tensor.zeros([3])) { a, b in a += b }
        }
        expectMessage(result, "update(with:): a tensor of shape [3] for one of shape [2, 3]")
    }

    @Test func axisOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([2, 3])).sum(axis: 2)
        }
        expectMessage(result, "sum: axis 2 is out of range for a tensor of rank 2")
    }

    @Test func softmaxAxisOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = softmax(Variable<Double>(Tensor.zeros([2, 3])), axis: -3)
        }
        expectMessage(result, "softmax: axis -3 is out of range for a tensor of rank 2")
    }

    @Test func reshapeCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([2, 3])).reshaped([4, 2])
        }
        expectMessage(result, "reshaped: [2, 3] → [4, 2]: 6 elements cannot fill 8")
    }

    @Test func scalarCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3])
        }
        expectMessage(result, "Tensor(shape:scalars:): shape [2, 2] holds 4 elements, but 3 were given")
    }

    @Test func raggedRows() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>([[1, 2], [3]])
        }
        expectMessage(result, "Tensor(_ rows:): row 1 has 1 elements, but row 0 has 2")
    }

    @Test func permutation() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([2, 3, 4])).permuted([0, 0, 1])
        }
        expectMessage(result, "permuted: [0, 0, 1] is not a permutation of 3 axes")
    }

    @Test func transposeOfAVector() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([3])).transposed()
        }
        expectMessage(result, "transposed: a variable of shape [3] has fewer than 2 axes")
    }

    @Test func concatenation() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable.concatenated([Variable<Double>(Tensor.zeros([2, 3])), Variable(Tensor.zeros([3, 3]))], axis: 1)
        }
        expectMessage(result, "concatenated: [2, 3] and [3, 3] differ outside axis 1")
    }

    @Test func slicingRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([2, 3])).slicing(1..<5, axis: 1)
        }
        expectMessage(result, "slicing: range 1..<5 is out of bounds for axis 1 of shape [2, 3]")
    }

    @Test func squeezingASizeThatIsNotOne() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([2, 3])).squeezed(axis: 0)
        }
        expectMessage(result, "squeezed: axis 0 of shape [2, 3] has size 2, not 1")
    }

    @Test func gatheringIndex() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([4, 3])).gathering(indices: [0, 4], axis: 0)
        }
        expectMessage(result, "gathering: index 4 is out of range for axis 0 of shape [4, 3]")
    }

    @Test func pickingCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable<Double>(Tensor.zeros([4, 3])).picking([0, 1])
        }
        expectMessage(result, "picking: 2 indices for shape [4, 3] along axis 1; expected one per element of [4]")
    }

    @Test func convolutionChannels() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Variable<Float>(Tensor.zeros([1, 3, 8, 8])), Variable(Tensor.zeros([4, 2, 3, 3])))
        }
        expectMessage(result, "conv2d: input [1, 3, 8, 8], filter [4, 2, 3, 3]: input channels 3 and filter channels 2 differ")
    }

    @Test func groupedConvolutionChannels() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Variable<Float>(Tensor.zeros([1, 6, 8, 8])), Variable(Tensor.zeros([4, 2, 3, 3])), groups: 2)
        }
        expectMessage(result, "conv2d: input [1, 6, 8, 8], filter [4, 2, 3, 3]: input channels 6 are not 2 groups of the filter's 2")
    }

    @Test func dilatedWindowTooLarge() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Variable<Float>(Tensor.zeros([1, 1, 5, 8])), Variable(Tensor.zeros([1, 1, 3, 3])), dilation: (3, 1))
        }
        expectMessage(result, "conv2d: input [1, 1, 5, 8], filter [1, 1, 3, 3]: the 3×3 window dilated by (3, 1) does not fit the padded 5×8 image")
    }

    @Test func transposedConvolutionOutputPadding() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = convTranspose2d(Variable<Float>(Tensor.zeros([1, 2, 4, 4])), Variable(Tensor.zeros([2, 3, 3, 3])), stride: 2, outputPadding: 2)
        }
        expectMessage(result, "convTranspose2d: stride (2, 2) and dilation (1, 1) must be positive, and outputPadding (2, 2) not negative and smaller than the stride or the dilation")
    }

    @Test func poolingRank() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = maxPool2d(Variable<Float>(Tensor.zeros([3, 8, 8])), size: 2)
        }
        expectMessage(result, "maxPool2d: input [3, 8, 8] is not 4-d [batch, channels, height, width]")
    }

    @Test func scalarOfManyElements() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Float>([1, 2]).scalar
        }
        expectMessage(result, "scalar: a tensor of shape [2] holds 2 elements, not 1")
    }

    @Test func backwardTwiceThroughAFreedGraph() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Variable<Double>(2, requiresGrad: true)
            let y = exp(x * x)
            y.backward()
            y.backward()
        }
        expectMessage(result, "backward: the graph behind this 'exp' result was freed by an earlier backward; "
                      + "pass retainGraph: true to that call to backpropagate through it twice")
    }

    @Test func backwardFromANonScalarWithoutSeed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            (Variable<Double>(Tensor.zeros([2, 2]), requiresGrad: true) * 2).backward()
        }
        expectMessage(result, "backward: a seed is needed for a result of shape [2, 2]; only one-element results default to 1")
    }

    @Test func backwardFromAConstant() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            (Variable<Double>(2) * 2).backward()
        }
        expectMessage(result, "backward: the variable does not require a gradient: no input requires one, or recording was off")
    }

    @Test func customVJPOfTheWrongShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Variable<Double>(Tensor.zeros([3]), requiresGrad: true)
            let y = Variable(x.value.sum(), recordedAs: "badSum", inputs: [x]) { g, _ in [g] }
            y.backward()
        }
        expectMessage(result, "backward: the VJP of 'badSum' returned a gradient of shape [] for input 0 of shape [3]")
    }
}
