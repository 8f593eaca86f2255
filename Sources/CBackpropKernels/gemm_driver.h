// The blocked GEMM driver, written once and instantiated by gemm.c for float
// and double. Before including this file, define:
//   T          the scalar type
//   MR, NR     the micro-kernel's tile
//   KC, MC, NC the cache blocks: a KC×NR panel of B stays in L1, an MC×KC
//              block of A in L2, a KC×NC panel of B in L3
//   KERNEL     the micro-kernel's function-pointer type
//   GEMM       the name of the entry point to define
//   PACK_A, PACK_B, GEMM_TILE  names for this instantiation's helpers
//
// Loop order (Goto / BLIS): for each NC-wide panel of columns, for each
// KC-deep slice of k, pack that slice of B once; for each MC-tall block of
// rows, pack that block of A; then run the micro-kernel over every MR×NR tile.
// Packing reads through both strides of an operand, so a transposed operand
// costs nothing extra, and it pads partial panels with zeros so that the
// micro-kernel always computes a full tile.

// Packs rows [0, mc) × columns [0, kc) of A into MR-tall panels: dst[p*MR + i].
static void PACK_A(ptrdiff_t mc, ptrdiff_t kc, const T *a, ptrdiff_t rsa, ptrdiff_t csa, T *dst) {
    for (ptrdiff_t i0 = 0; i0 < mc; i0 += MR, dst += kc * MR) {
        ptrdiff_t mr = mc - i0 < MR ? mc - i0 : MR;
        const T *src = a + i0 * rsa;
        // A partial panel's missing rows are zeros; only those lanes are cleared.
        if (mr < MR)
            for (ptrdiff_t p = 0; p < kc; ++p)
                for (ptrdiff_t i = mr; i < MR; ++i) dst[p * MR + i] = 0;
        if (rsa == 1) {          // A transposed: a column of the panel is contiguous
            for (ptrdiff_t p = 0; p < kc; ++p)
                for (ptrdiff_t i = 0; i < mr; ++i) dst[p * MR + i] = src[p * csa + i];
        } else {                 // A as stored: a row of the panel is contiguous when csa == 1
            for (ptrdiff_t i = 0; i < mr; ++i)
                for (ptrdiff_t p = 0; p < kc; ++p) dst[p * MR + i] = src[i * rsa + p * csa];
        }
    }
}

// Packs rows [0, kc) × columns [0, nc) of B into NR-wide panels: dst[p*NR + j].
static void PACK_B(ptrdiff_t kc, ptrdiff_t nc, const T *b, ptrdiff_t rsb, ptrdiff_t csb, T *dst) {
    for (ptrdiff_t j0 = 0; j0 < nc; j0 += NR, dst += kc * NR) {
        ptrdiff_t nr = nc - j0 < NR ? nc - j0 : NR;
        const T *src = b + j0 * csb;
        if (nr < NR)
            for (ptrdiff_t p = 0; p < kc; ++p)
                for (ptrdiff_t j = nr; j < NR; ++j) dst[p * NR + j] = 0;
        if (csb == 1) {          // B as stored: a row of the panel is contiguous
            for (ptrdiff_t p = 0; p < kc; ++p)
                for (ptrdiff_t j = 0; j < nr; ++j) dst[p * NR + j] = src[p * rsb + j];
        } else {                 // B transposed: a column of the panel is contiguous when rsb == 1
            for (ptrdiff_t j = 0; j < nr; ++j)
                for (ptrdiff_t p = 0; p < kc; ++p) dst[p * NR + j] = src[p * rsb + j * csb];
        }
    }
}

// One tile of C: straight into C when it is whole, else through a scratch tile,
// computed by the same kernel so that every element sees the same arithmetic.
static inline void GEMM_TILE(KERNEL kernel, ptrdiff_t kc, const T *ap, const T *bp, T *c, ptrdiff_t ldc,
                             ptrdiff_t mr, ptrdiff_t nr, bool accumulate) {
    if (mr == MR && nr == NR) { kernel(kc, ap, bp, c, ldc, accumulate); return; }
    T tile[MR * NR];
    kernel(kc, ap, bp, tile, NR, false);
    for (ptrdiff_t i = 0; i < mr; ++i)
        for (ptrdiff_t j = 0; j < nr; ++j)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + tile[i * NR + j] : tile[i * NR + j];
}

void GEMM(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const T *a, ptrdiff_t rsa, ptrdiff_t csa,
          const T *b, ptrdiff_t rsb, ptrdiff_t csb, T *c, ptrdiff_t ldc, bool force_portable,
          KERNEL fast, KERNEL portable) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (ptrdiff_t i = 0; i < m; ++i) memset(c + i * ldc, 0, sizeof(T) * (size_t)n);
        return;
    }
    KERNEL kernel = fast && !force_portable ? fast : portable;
    // Equal slices of k (at most KC deep) rather than full slices and a thin
    // remainder. They depend on k alone, so every block of C sums in the same order.
    ptrdiff_t slices = (k + KC - 1) / KC, kcMax = (k + slices - 1) / slices;
    ptrdiff_t ncMax = n < NC ? (n + NR - 1) / NR * NR : NC;
    ptrdiff_t mcMax = m < MC ? (m + MR - 1) / MR * MR : MC;
    // B's panel first, then A's block, at a 64-byte boundary.
    size_t bBytes = (sizeof(T) * (size_t)(kcMax * ncMax) + 63) / 64 * 64;
    T *bp = bp_scratch(bBytes + sizeof(T) * (size_t)(kcMax * mcMax));
    T *ap = (T *)((char *)bp + bBytes);
    for (ptrdiff_t jc = 0; jc < n; jc += NC) {
        ptrdiff_t nc = n - jc < NC ? n - jc : NC;
        for (ptrdiff_t pc = 0; pc < k; pc += kcMax) {
            ptrdiff_t kc = k - pc < kcMax ? k - pc : kcMax;
            PACK_B(kc, nc, b + pc * rsb + jc * csb, rsb, csb, bp);
            for (ptrdiff_t ic = 0; ic < m; ic += MC) {
                ptrdiff_t mc = m - ic < MC ? m - ic : MC;
                PACK_A(mc, kc, a + ic * rsa + pc * csa, rsa, csa, ap);
                for (ptrdiff_t jr = 0; jr < nc; jr += NR)
                    for (ptrdiff_t ir = 0; ir < mc; ir += MR)
                        GEMM_TILE(kernel, kc, ap + ir * kc, bp + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc,
                                  mc - ir < MR ? mc - ir : MR, nc - jr < NR ? nc - jr : NR, pc > 0);
            }
        }
    }
}
