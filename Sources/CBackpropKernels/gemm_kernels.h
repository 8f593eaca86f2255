// Micro-kernels: each computes one MR×NR tile of C from packed panels.
// Private to CBackpropKernels.

#ifndef BP_GEMM_KERNELS_H
#define BP_GEMM_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include "CBackpropKernels.h"

// `a` holds k columns of MR scalars (a[p*MR + i]); `b` holds k rows of NR
// scalars (b[p*NR + j]). The tile's sum starts from zero and runs over p in
// order; it then overwrites C (accumulate false) or is added to it.
typedef void (*bp_skernel)(ptrdiff_t k, const float *a, const float *b,
                           float *c, ptrdiff_t ldc, bool accumulate);
typedef void (*bp_dkernel)(ptrdiff_t k, const double *a, const double *b,
                           double *c, ptrdiff_t ldc, bool accumulate);

// Plain C: any CPU. The compiler may vectorise it for the baseline target.
void bp_skernel_portable(ptrdiff_t k, const float *a, const float *b,
                         float *c, ptrdiff_t ldc, bool accumulate);
void bp_dkernel_portable(ptrdiff_t k, const double *a, const double *b,
                         double *c, ptrdiff_t ldc, bool accumulate);

#if defined(__x86_64__)
// AVX2 + FMA: call only when the CPU supports both.
void bp_skernel_avx2(ptrdiff_t k, const float *a, const float *b,
                     float *c, ptrdiff_t ldc, bool accumulate);
void bp_dkernel_avx2(ptrdiff_t k, const double *a, const double *b,
                     double *c, ptrdiff_t ldc, bool accumulate);
#endif

#endif
