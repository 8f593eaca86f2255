// Checks the C GEMM of CBackpropKernels against a naive product, on whatever
// architecture this file is compiled for: odd sizes and tails, all four
// transpose variants, both precisions, and C split into blocks of rows (which
// must give the same bits as one call). Run by .ci/cross/check-arm64.sh under
// qemu when a cross compiler is installed; exits 1 on the first mismatch.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "CBackpropKernels.h"

static unsigned long long state = 12345;
static double next_uniform(void) {            // xorshift64*, in [-1, 1)
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return (double)((state * 2685821657736338717ULL) >> 11) / 4503599627370496.0 - 1.0;
}

#define DEFINE_CHECK(NAME, T, GEMM, TOLERANCE)                                                   \
static int NAME(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, int ta, int tb, int portable) {           \
    T *a = malloc(sizeof(T) * (size_t)(m * k + 1)), *b = malloc(sizeof(T) * (size_t)(k * n + 1)); \
    T *c = malloc(sizeof(T) * (size_t)(m * n + 1)), *split = malloc(sizeof(T) * (size_t)(m * n + 1)); \
    for (ptrdiff_t i = 0; i < m * k; i++) a[i] = (T)next_uniform();                             \
    for (ptrdiff_t i = 0; i < k * n; i++) b[i] = (T)next_uniform();                             \
    ptrdiff_t rsa = ta ? 1 : k, csa = ta ? m : 1, rsb = tb ? 1 : n, csb = tb ? k : 1;            \
    GEMM(m, n, k, a, rsa, csa, b, rsb, csb, c, n, portable);                                     \
    for (ptrdiff_t r = 0; r < m; r += 7) {                                                       \
        ptrdiff_t rows = m - r < 7 ? m - r : 7;                                                  \
        GEMM(rows, n, k, a + r * rsa, rsa, csa, b, rsb, csb, split + r * n, n, portable);        \
    }                                                                                            \
    int failed = 0;                                                                              \
    for (ptrdiff_t i = 0; i < m && !failed; i++)                                                 \
        for (ptrdiff_t j = 0; j < n && !failed; j++) {                                           \
            double expected = 0;                                                                 \
            for (ptrdiff_t p = 0; p < k; p++) expected += (double)a[i * rsa + p * csa] * b[p * rsb + j * csb]; \
            double got = c[i * n + j];                                                           \
            if (fabs(got - expected) > TOLERANCE * (1 + sqrt((double)k))) {                      \
                printf("%s %tdx%tdx%td ta=%d tb=%d portable=%d: C[%td,%td] = %g, expected %g\n", \
                       #T, m, n, k, ta, tb, portable, i, j, got, expected);                      \
                failed = 1;                                                                      \
            } else if (split[i * n + j] != c[i * n + j]) {                                       \
                printf("%s %tdx%tdx%td: a block of rows gave other bits at [%td,%td]\n", #T, m, n, k, i, j); \
                failed = 1;                                                                      \
            }                                                                                    \
        }                                                                                        \
    free(a); free(b); free(c); free(split);                                                      \
    return failed;                                                                               \
}
DEFINE_CHECK(check_float, float, bp_sgemm, 1e-5)
DEFINE_CHECK(check_double, double, bp_dgemm, 1e-13)

int main(void) {
    const ptrdiff_t sizes[] = {1, 2, 5, 6, 7, 8, 15, 16, 17, 33, 64, 100, 261};
    const int count = sizeof(sizes) / sizeof(sizes[0]);
    int cases = 0;
    for (int x = 0; x < count; x++)
        for (int y = 0; y < count; y += 3)
            for (int z = 0; z < count; z += 2)
                for (int t = 0; t < 4; t++) {
                    ptrdiff_t m = sizes[x], n = sizes[(x + y) % count], k = sizes[(x + z) % count];
                    if (check_float(m, n, k, t & 1, t >> 1, 0) || check_double(m, n, k, t & 1, t >> 1, 0) ||
                        check_float(m, n, k, t & 1, t >> 1, 1) || check_double(m, n, k, t & 1, t >> 1, 1)) return 1;
                    cases += 4;
                }
    printf("gemm: %d products match the naive reference (SIMD micro-kernel: %s)\n",
           cases, bp_gemm_has_simd_kernel() ? "yes" : "no, portable");
    return 0;
}
