// GEMM entry points: instantiates the blocked driver for float and double and
// picks the micro-kernel from the CPU's features at each call (a cheap test of flags
// that the runtime sets at start-up).

#define _POSIX_C_SOURCE 200112L   // posix_memalign, even under a strict -std=c11
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "gemm_kernels.h"

// Scratch for packed panels: one 64-byte aligned block per thread (a cache line; a whole AVX
// register), freed when the thread ends. It is made at once as large as any product can need
// (the largest blocks, of doubles: 8.5 MB of address space, whose untouched pages cost no
// memory), so that no product allocates after a thread's first, whichever chunks of a split
// product each thread happens to run. A product packs A and B into the two parts of it.
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
struct scratch { void *base; size_t bytes; };

static void scratch_free(void *value) {
    struct scratch *s = value;
    free(s->base);
    free(s);
}

static void scratch_make_key(void) {
    if (pthread_key_create(&scratch_key, scratch_free) != 0) abort();
}

// The most scratch a product needs: a KC×NC panel of B and a KC×MC block of A, for doubles
// (the larger), with the 64 bytes that align A's block; a larger request (there is none) gets its size.
#define BP_SCRATCH_BYTES ((256 * 4080 + 256 * 72) * sizeof(double) + 64)

static void *bp_scratch(size_t bytes) {
    pthread_once(&scratch_once, scratch_make_key);
    struct scratch *s = pthread_getspecific(scratch_key);
    if (s == NULL) {
        if ((s = calloc(1, sizeof *s)) == NULL || pthread_setspecific(scratch_key, s) != 0) abort();
    }
    if (s->bytes < bytes) {
        size_t size = bytes > BP_SCRATCH_BYTES ? bytes : BP_SCRATCH_BYTES;
        free(s->base);
        s->base = NULL;
        if (posix_memalign(&s->base, 64, size) != 0) abort();
        s->bytes = size;
    }
    return s->base;
}

void bp_gemm_reserve_scratch(void) { (void)bp_scratch(1); }

bool bp_gemm_has_simd_kernel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();   // idempotent; needed only if called before constructors run
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

// The SIMD micro-kernel when this CPU has one, else NULL (the driver then uses the portable one).
#if defined(__x86_64__)
#define SIMD_OR_NULL(kernel) (bp_gemm_has_simd_kernel() ? kernel : NULL)
#else
#define SIMD_OR_NULL(kernel) NULL
#endif

// Float: the L1 holds a 256×16 panel of B (16 KiB) and a 6×256 panel of A;
// the L2 (512 KiB) holds a 168×256 block of A (168 KiB).
#define T float
#define MR BP_SGEMM_MR
#define NR BP_SGEMM_NR
#define KC 256
#define MC 168
#define NC 4080
#define KERNEL bp_skernel
#define GEMM sgemm_blocked
#define PACK_A spack_a
#define PACK_B spack_b
#define GEMM_TILE sgemm_tile
#include "gemm_driver.h"
#undef T
#undef MR
#undef NR
#undef KC
#undef MC
#undef NC
#undef KERNEL
#undef GEMM
#undef PACK_A
#undef PACK_B
#undef GEMM_TILE

// Double: half the lanes, so half the tile width; the same bytes per block.
#define T double
#define MR BP_DGEMM_MR
#define NR BP_DGEMM_NR
#define KC 256
#define MC 72
#define NC 4080
#define KERNEL bp_dkernel
#define GEMM dgemm_blocked
#define PACK_A dpack_a
#define PACK_B dpack_b
#define GEMM_TILE dgemm_tile
#include "gemm_driver.h"

void bp_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t rsa, ptrdiff_t csa,
              const float *b, ptrdiff_t rsb, ptrdiff_t csb, float *c, ptrdiff_t ldc, bool force_portable) {
    sgemm_blocked(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, force_portable,
                  SIMD_OR_NULL(bp_skernel_avx2), bp_skernel_portable);
}

void bp_dgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const double *a, ptrdiff_t rsa, ptrdiff_t csa,
              const double *b, ptrdiff_t rsb, ptrdiff_t csb, double *c, ptrdiff_t ldc, bool force_portable) {
    dgemm_blocked(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, force_portable,
                  SIMD_OR_NULL(bp_dkernel_avx2), bp_dkernel_portable);
}
