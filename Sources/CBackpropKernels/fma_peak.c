// The FMA throughput microbenchmark's kernel: BP_FMA_CHAINS independent chains
// of BP_FMA_LANES-wide float FMAs. Independent chains hide the FMA latency
// (4–5 cycles on current x86 cores, with two FMA units: at least 8–10 chains
// in flight), so the loop runs at the core's FMA issue rate.
// The multiplier and addend arrive as arguments, and the caller gets the sum
// of every final value, so the compiler can neither fold the chains nor drop them.

#include "CBackpropKernels.h"

// Lane l of chain c starts at c·BP_FMA_LANES + l.
#define START(c, l) ((float)((c) * BP_FMA_LANES + (l)))

#if defined(__x86_64__)
#include <immintrin.h>

// 12 accumulators and 2 operands: 14 of the 16 ymm registers.
__attribute__((target("avx2,fma")))
static double fma_chains_avx2(ptrdiff_t iterations, float multiplier, float addend) {
    _Static_assert(BP_FMA_LANES == 8, "one ymm register of floats per chain");
    const __m256 m = _mm256_set1_ps(multiplier), a = _mm256_set1_ps(addend);
    __m256 x[BP_FMA_CHAINS];
    for (int c = 0; c < BP_FMA_CHAINS; ++c)
        x[c] = _mm256_setr_ps(START(c, 0), START(c, 1), START(c, 2), START(c, 3),
                              START(c, 4), START(c, 5), START(c, 6), START(c, 7));
    for (ptrdiff_t i = 0; i < iterations; ++i)
        for (int c = 0; c < BP_FMA_CHAINS; ++c) x[c] = _mm256_fmadd_ps(x[c], m, a);
    float lanes[BP_FMA_CHAINS][BP_FMA_LANES];
    for (int c = 0; c < BP_FMA_CHAINS; ++c) _mm256_storeu_ps(lanes[c], x[c]);
    double sum = 0;
    for (int c = 0; c < BP_FMA_CHAINS; ++c)
        for (int l = 0; l < BP_FMA_LANES; ++l) sum += lanes[c][l];
    return sum;
}
#endif

// Plain C: the compiler vectorises the lanes and, where the target has FMA
// (arm64), contracts each multiply-add into one.
static double fma_chains_portable(ptrdiff_t iterations, float multiplier, float addend) {
    float x[BP_FMA_CHAINS][BP_FMA_LANES];
    for (int c = 0; c < BP_FMA_CHAINS; ++c)
        for (int l = 0; l < BP_FMA_LANES; ++l) x[c][l] = START(c, l);
    for (ptrdiff_t i = 0; i < iterations; ++i)
        for (int c = 0; c < BP_FMA_CHAINS; ++c)
            for (int l = 0; l < BP_FMA_LANES; ++l) x[c][l] = x[c][l] * multiplier + addend;
    double sum = 0;
    for (int c = 0; c < BP_FMA_CHAINS; ++c)
        for (int l = 0; l < BP_FMA_LANES; ++l) sum += x[c][l];
    return sum;
}

double bp_fma_chains(ptrdiff_t iterations, float multiplier, float addend, bool force_portable) {
#if defined(__x86_64__)
    if (!force_portable && bp_gemm_has_simd_kernel()) return fma_chains_avx2(iterations, multiplier, addend);
#else
    (void)force_portable;
#endif
    return fma_chains_portable(iterations, multiplier, addend);
}
