// AVX2 + FMA micro-kernels for x86-64. Compiled for that instruction set
// through function attributes only, so the rest of the package keeps the
// baseline target; gemm.c calls them after a CPU feature check.

#include "gemm_kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2_FMA __attribute__((target("avx2,fma")))

// 6×16 floats: 12 accumulators of 8 lanes, 2 registers of B, 1 broadcast of A
// (15 of the 16 ymm registers). Each step is 12 FMAs for 2 loads of B and 6
// broadcasts of A.
AVX2_FMA void bp_skernel_avx2(ptrdiff_t k, const float *a, const float *b,
                              float *c, ptrdiff_t ldc, bool accumulate) {
    enum { MR = BP_SGEMM_MR, NR = BP_SGEMM_NR };
    __m256 acc[MR][2];
    for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int i = 0; i < MR; ++i) {   // the tile's rows of C, needed at the end
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T0);
    }
    for (ptrdiff_t p = 0; p < k; ++p, a += MR, b += NR) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        for (int i = 0; i < MR; ++i) {
            __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < MR; ++i) {
        float *row = c + i * ldc;
        if (accumulate) {
            acc[i][0] = _mm256_add_ps(_mm256_loadu_ps(row), acc[i][0]);
            acc[i][1] = _mm256_add_ps(_mm256_loadu_ps(row + 8), acc[i][1]);
        }
        _mm256_storeu_ps(row, acc[i][0]);
        _mm256_storeu_ps(row + 8, acc[i][1]);
    }
}

// 6×8 doubles: the same register budget, 4 lanes per register.
AVX2_FMA void bp_dkernel_avx2(ptrdiff_t k, const double *a, const double *b,
                              double *c, ptrdiff_t ldc, bool accumulate) {
    enum { MR = BP_DGEMM_MR, NR = BP_DGEMM_NR };
    __m256d acc[MR][2];
    for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_pd();
    for (int i = 0; i < MR; ++i) {   // the tile's rows of C, needed at the end
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T0);
    }
    for (ptrdiff_t p = 0; p < k; ++p, a += MR, b += NR) {
        __m256d b0 = _mm256_loadu_pd(b), b1 = _mm256_loadu_pd(b + 4);
        for (int i = 0; i < MR; ++i) {
            __m256d ai = _mm256_broadcast_sd(a + i);
            acc[i][0] = _mm256_fmadd_pd(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_pd(ai, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < MR; ++i) {
        double *row = c + i * ldc;
        if (accumulate) {
            acc[i][0] = _mm256_add_pd(_mm256_loadu_pd(row), acc[i][0]);
            acc[i][1] = _mm256_add_pd(_mm256_loadu_pd(row + 4), acc[i][1]);
        }
        _mm256_storeu_pd(row, acc[i][0]);
        _mm256_storeu_pd(row + 4, acc[i][1]);
    }
}
#endif
