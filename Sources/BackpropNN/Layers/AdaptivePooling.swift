import Backprop

/// 2-d average pooling to a fixed output size, as PyTorch's `nn.AdaptiveAvgPool2d`.
///
/// Output row `i` of `outputHeight` averages input rows `⌊i·H / outputHeight⌋ ..< ⌈(i + 1)·H / outputHeight⌉`,
/// and likewise for columns, so the bins cover the input even when the sizes do not divide
/// (they may then overlap). The average over a bin is separable: the layer is
/// `A_H · x · A_Wᵀ` for constant averaging matrices, two batched matrix products over the last
/// two axes of `[N, C, H, W]` (or `[C, H, W]`) input; the sweep differentiates them.
public struct AdaptiveAvgPool2d<Scalar: TensorScalar>: Layer {
    public let outputHeight: Int
    public let outputWidth: Int

    /// Pools to `outputSize × outputSize`.
    public init(outputSize: Int) { self.init(outputSize: (outputSize, outputSize)) }

    /// Pools to `outputSize.height × outputSize.width`.
    public init(outputSize: (height: Int, width: Int)) {
        require(outputSize.height > 0 && outputSize.width > 0,
                "AdaptiveAvgPool2d: output size \(outputSize.height)×\(outputSize.width) must be positive")
        (outputHeight, outputWidth) = outputSize
    }

    @specialized(where Scalar == Float)
    @specialized(where Scalar == Double)
    public func callAsFunction(_ input: Variable<Scalar>) -> Variable<Scalar> {
        let rank = input.shape.count
        require((rank == 3 || rank == 4) && input.shape[rank - 2] > 0 && input.shape[rank - 1] > 0,
                "AdaptiveAvgPool2d: input \(input.shape) is not a non-empty [batch, channels, height, width] or [channels, height, width]")
        let rows = Variable(Self.averaging(from: input.shape[rank - 2], to: outputHeight))
        let columns = Variable(Self.averaging(from: input.shape[rank - 1], to: outputWidth).transposed())
        return matmul(matmul(rows, input), columns)
    }

    /// The `[outputSize, inputSize]` matrix whose row `i` averages PyTorch's adaptive bin `i`.
    static func averaging(from inputSize: Int, to outputSize: Int) -> Tensor<Scalar> {
        var scalars = [Scalar](repeating: 0, count: outputSize * inputSize)
        for i in 0..<outputSize {
            let start = i * inputSize / outputSize
            let end = ((i + 1) * inputSize + outputSize - 1) / outputSize
            for j in start..<end { scalars[i * inputSize + j] = 1 / Scalar(end - start) }
        }
        return Tensor(shape: [outputSize, inputSize], scalars: scalars)
    }
}
