import CBackpropKernels
import Foundation
import Testing

/// `bp_fma_chains`, the kernel of backprop-bench's fma-peak, against the closed form of x ← x/2 + 1:
/// from x₀ each lane reaches 2 + (x₀ − 2)·2⁻ⁿ after n steps. The 96 lanes start at 0, 1, …, 95
/// (Σ x₀ = 4,560), so the sum is 192 + 4,368·2⁻ⁿ; every term is exact in float while n ≤ 17.
@Suite struct FMAChains {
    @Test func sumFollowsTheClosedForm() {
        #expect(BP_FMA_CHAINS * BP_FMA_LANES == 96)
        for n in 0...17 {
            for portable in [false, true] {
                let expected = 192 + 4368 * pow(0.5, Double(n))
                #expect(bp_fma_chains(n, 0.5, 1, portable) == expected, "n = \(n), portable \(portable)")
            }
        }
    }

    /// After enough steps every lane rounds onto the fixed point 2, and stays there.
    @Test func longRunsEndAtTheFixedPoint() {
        for portable in [false, true] {
            #expect(bp_fma_chains(100, 0.5, 1, portable) == 192)
            #expect(bp_fma_chains(10_000, 0.5, 1, portable) == 192)
        }
    }

    /// Another multiplier and addend: x ← x·1 + 0.25 adds n/4 to each lane, exactly.
    @Test func multiplierAndAddendAreTheArguments() {
        for portable in [false, true] {
            #expect(bp_fma_chains(8, 1, 0.25, portable) == 4560 + 96 * 2)
        }
    }
}
