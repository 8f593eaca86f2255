// CBackpropKernels: the few numeric kernels of Backprop that are written in C,
// because they need explicit SIMD instructions picked at run time.
// Everything else, threading included, is in Swift.

#ifndef CBACKPROP_KERNELS_H
#define CBACKPROP_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Rows and columns of the register tile that one micro-kernel call computes.
/// Splitting a product across threads at multiples of these avoids partial tiles.
#define BP_SGEMM_MR 6
#define BP_SGEMM_NR 16
#define BP_DGEMM_MR 6
#define BP_DGEMM_NR 8

/// Single-threaded matrix product `C = A · B`, overwriting C.
///
/// `A` is m×k with element (i, p) at `a[i*rsa + p*csa]`; `B` is k×n with
/// element (p, j) at `b[p*rsb + j*csb]`; `C` is m×n, row-major, with element
/// (i, j) at `c[i*ldc + j]`. A transposed operand is just a swap of its two
/// strides. Each element of C is summed in the same order whatever block of C
/// a call covers, so splitting C across calls does not change the result.
/// `force_portable` skips the SIMD micro-kernel (for tests).
void bp_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
              const float *a, ptrdiff_t rsa, ptrdiff_t csa,
              const float *b, ptrdiff_t rsb, ptrdiff_t csb,
              float *c, ptrdiff_t ldc, bool force_portable);

/// Makes the calling thread's scratch for packed panels, as large as any product needs, so that
/// none of its later products allocates: for a thread that will run parts of split products.
void bp_gemm_reserve_scratch(void);

/// The double-precision form of `bp_sgemm`.
void bp_dgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
              const double *a, ptrdiff_t rsa, ptrdiff_t csa,
              const double *b, ptrdiff_t rsb, ptrdiff_t csb,
              double *c, ptrdiff_t ldc, bool force_portable);

/// Whether this CPU runs the AVX2+FMA micro-kernels (false on other architectures).
bool bp_gemm_has_simd_kernel(void);

/// The independent chains and the lanes per chain of `bp_fma_chains`.
#define BP_FMA_CHAINS 12
#define BP_FMA_LANES 8

/// The FMA throughput benchmark's kernel: `iterations` steps of
/// `x ← x·multiplier + addend` on BP_FMA_CHAINS × BP_FMA_LANES independent
/// float lanes, the lane l of chain c starting at c·BP_FMA_LANES + l.
/// Returns the sum of the final lanes, in double. One call does
/// 2·BP_FMA_CHAINS·BP_FMA_LANES·iterations flops, as 8-wide AVX2 FMAs when
/// the CPU has them and `force_portable` is false, else in plain C (whose
/// multiply-add the compiler may or may not fuse: with a multiplier that is a
/// power of two the product is exact, and both give the same bits).
double bp_fma_chains(ptrdiff_t iterations, float multiplier, float addend, bool force_portable);

#ifdef __cplusplus
}
#endif

#endif
