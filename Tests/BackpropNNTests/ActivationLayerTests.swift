import Backprop
import Foundation
import Testing
@testable import BackpropNN

/// The activation layers apply the core functions with their settings (the functions are
/// checked against PyTorch in BackpropTests).
@Suite struct ActivationLayers {
    @Test func layersApplyTheirFunctions() {
        let x = Variable(Tensor<Double>([-2, -0.5, 0, 0.75, 1.25]))
        #expect(SiLU<Double>()(x).value == silu(x).value)
        #expect(ELU<Double>(alpha: 0.7)(x).value == elu(x, alpha: 0.7).value)
        #expect(Mish<Double>()(x).value == mish(x).value)
        #expect(Hardtanh<Double>(minimum: -0.5, maximum: 1)(x).value == Tensor([-0.5, -0.5, 0, 0.75, 1]))
        #expect(GELU<Double>(approximation: .tanh)(x).value == gelu(x, approximation: .tanh).value)
        #expect(GELU<Double>()(x).value == gelu(x).value)
        #expect(GELU<Double>(approximation: .tanh)(x).value != GELU<Double>()(x).value)
        // Closed forms: silu(0) = 0, elu(−2) = α(e⁻² − 1), hardtanh passes the inside unchanged.
        #expect(silu(x).value[2] == 0)
        #expect(Swift.abs(elu(x, alpha: 0.7).value[0] - 0.7 * (Foundation.exp(-2.0) - 1)) < 1e-15)
    }
}
