import Backprop
import Foundation

/// The sinusoidal positional encoding of "Attention Is All You Need", `[length, modelSize]`.
///
/// `PE[pos, 2i] = sin(pos / 10000^(2i/d))`, `PE[pos, 2i+1] = cos(pos / 10000^(2i/d))`, with `d = modelSize`.
/// Add it to `[batch, length, modelSize]` embeddings; it broadcasts over the batch.
public func sinusoidalPositionalEncoding<S: TensorScalar>(length: Int, modelSize: Int,
                                                         as _: S.Type = S.self) -> Tensor<S> {
    require(length >= 0 && modelSize > 0,
            "sinusoidalPositionalEncoding: length \(length) and model size \(modelSize) must be ≥ 0 and > 0")
    return Tensor(shape: [length, modelSize], scalars: (0..<(length * modelSize)).map { index in
        let (position, column) = index.quotientAndRemainder(dividingBy: modelSize)
        let angle = Double(position) / Foundation.pow(10000, Double(column - column % 2) / Double(modelSize))
        return S(column % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle))
    })
}

/// Rotary positional embedding (RoPE, Su et al. 2021) of queries or keys `[…, sequence, headSize]`.
///
/// Interleaved pairs, as in the paper: features `(x[2i], x[2i+1])` at position `p` are rotated by
/// the angle `p·θᵢ`, `θᵢ = base^(−2i/headSize)`:
/// `y[2i] = x[2i]·cos − x[2i+1]·sin`, `y[2i+1] = x[2i]·sin + x[2i+1]·cos`.
/// (Some models, e.g. GPT-NeoX and Llama in Hugging Face, pair `x[i]` with `x[i + d/2]` instead:
/// the same rotation on permuted features.) Then `rope(q)·rope(k)` depends only on the positions' difference.
/// A composition of public ops, so it is differentiable.
/// - Parameters:
///   - offset: the position of the first element of the sequence (for decoding with a cache).
///   - base: the base of the angles' geometric progression.
public func rotaryPositionalEncoding<S: TensorScalar>(_ x: Variable<S>, offset: Int = 0, base: S = 10000) -> Variable<S> {
    let shape = x.shape
    require(shape.count >= 2 && shape[shape.count - 1] % 2 == 0,
            "rotaryPositionalEncoding: input \(shape) is not […, sequence, even headSize]")
    let (length, size) = (shape[shape.count - 2], shape[shape.count - 1])
    var cosines = [S](), signedSines = [S]()
    cosines.reserveCapacity(length * size); signedSines.reserveCapacity(length * size)
    for position in 0..<length {
        for column in 0..<size {
            let theta = Foundation.pow(Double(base), -Double(column - column % 2) / Double(size))
            let angle = Double(position + offset) * theta
            cosines.append(S(Foundation.cos(angle)))
            signedSines.append(S(column % 2 == 0 ? -Foundation.sin(angle) : Foundation.sin(angle)))
        }
    }
    // swap[2i] = x[2i+1], swap[2i+1] = x[2i], through a permutation matrix.
    let swap = Tensor<S>(shape: [size, size], scalars: (0..<(size * size)).map { index in
        let (row, column) = index.quotientAndRemainder(dividingBy: size)
        return row == (column ^ 1) ? 1 : 0
    })
    let swapped = matmul(x.reshaped([shape.dropLast().reduce(1, *), size]), Variable(swap)).reshaped(shape)
    return x * Variable(Tensor(shape: [length, size], scalars: cosines))
        + swapped * Variable(Tensor(shape: [length, size], scalars: signedSines))
}
