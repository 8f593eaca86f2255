// Portable micro-kernels: plain C for CPUs without AVX2+FMA (arm64 among them).
// The accumulator tile is small enough for the compiler to keep it in vector
// registers on arm64 (32 NEON registers). One definition serves both types.

#include "gemm_kernels.h"

#define DEFINE_PORTABLE_KERNEL(NAME, T, MR, NR)                                      \
    void NAME(ptrdiff_t k, const T *a, const T *b, T *c, ptrdiff_t ldc, bool accumulate) { \
        T acc[MR][NR] = {{0}};                                                       \
        for (ptrdiff_t p = 0; p < k; ++p, a += MR, b += NR)                          \
            for (int i = 0; i < MR; ++i)                                             \
                for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];               \
        for (int i = 0; i < MR; ++i)                                                 \
            for (int j = 0; j < NR; ++j)                                             \
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j]; \
    }

DEFINE_PORTABLE_KERNEL(bp_skernel_portable, float, BP_SGEMM_MR, BP_SGEMM_NR)
DEFINE_PORTABLE_KERNEL(bp_dkernel_portable, double, BP_DGEMM_MR, BP_DGEMM_NR)
