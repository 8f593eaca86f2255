// Portable micro-kernels: plain C for CPUs without AVX2+FMA (arm64 among them).
// The accumulator tile is small enough for the compiler to keep it in vector
// registers on arm64 (32 NEON registers).

#include "gemm_kernels.h"

#define MR BP_SGEMM_MR
#define NR BP_SGEMM_NR
void bp_skernel_portable(ptrdiff_t k, const float *a, const float *b,
                         float *c, ptrdiff_t ldc, bool accumulate) {
    float acc[MR][NR] = {{0}};
    for (ptrdiff_t p = 0; p < k; ++p, a += MR, b += NR)
        for (int i = 0; i < MR; ++i)
            for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}
#undef MR
#undef NR

#define MR BP_DGEMM_MR
#define NR BP_DGEMM_NR
void bp_dkernel_portable(ptrdiff_t k, const double *a, const double *b,
                         double *c, ptrdiff_t ldc, bool accumulate) {
    double acc[MR][NR] = {{0}};
    for (ptrdiff_t p = 0; p < k; ++p, a += MR, b += NR)
        for (int i = 0; i < MR; ++i)
            for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
    for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}
#undef MR
#undef NR
