// Causal self-attention of a training forward — T queries over the same T keys, grouped-query K/V, an optional additive
// mask (padding, packed sequences) — forward and backward in float32:
//   S = scale·Q·Kᵀ + mask,  P = softmax(S) over keys j ≤ i,  O = P·V
//   dP = dO·Vᵀ,  dS = scale·P ∘ (dP − rowsum(P ∘ dP)),  dQ = dS·K,  dK = dSᵀ·Q,  dV = Pᵀ·dO
// (dK and dV summed over the query heads that share a K/V head).
//
// Why this exists: libtorch's eager attention is a dozen ops a layer each way — batched matmuls of 64-wide heads, the
// mask's add, softmax, the copies that reorder heads and tokens — each a parallel region and a pass over the scores,
// and its batched products of [128 × 64] by [64 × 128] run far below the matmul rate of the model's linear layers
// (docs/performance.md). Here a (batch, head) is one task: its scores stay in cache between the products, only the
// causal triangle is computed, and Q, K, V are read in the layout the projections wrote (token-major, through strides)
// and the output written in the one the output projection reads.
//
// All six products are one tile kernel, C (+)= A·B over a range of the inner dimension, with B's rows contiguous: a
// 4 × 64 block of C in 16 vector accumulators, each inner step a broadcast of A's element and one load of B's row
// per 16 columns. A is read through two strides, so Pᵀ and dSᵀ are P and dS read by columns; Kᵀ and Vᵀ, which are
// B, are transposed once per K/V head into scratch.
#include <stdlib.h>
#include <string.h>

#include "aha_vector.h"

// C[r][0..N) (+)= Σ_{k ∈ [k0, k1)} A[r·ars + k·aks]·B[k·ldb + 0..N) for r < R; R ≤ 4 and N ≤ 64 a multiple of 16, both
// constants where it is inlined, so the accumulators live in registers.
AHA_INLINE void tile(const float* a, long ars, long aks, const float* b, long ldb, float* c, long ldc, const int R, const int N,
                     long k0, long k1, int accumulate)
{
    v16 acc[4][4];
    for (int r = 0; r < R; r++)
        for (int q = 0; q < N / 16; q++) acc[r][q] = accumulate ? load16(c + r * ldc + 16 * q) : (v16){0};
    for (long k = k0; k < k1; k++)
    {
        v16 bv[4];
        for (int q = 0; q < N / 16; q++) bv[q] = load16(b + k * ldb + 16 * q);
        for (int r = 0; r < R; r++)
        {
            float ar = a[r * ars + k * aks];
            for (int q = 0; q < N / 16; q++) acc[r][q] += ar * bv[q];
        }
    }
    for (int r = 0; r < R; r++)
        for (int q = 0; q < N / 16; q++) memcpy(c + r * ldc + 16 * q, &acc[r][q], sizeof(v16));
}

// C [m × n] (+)= A[:, k0..k1)·B[k0..k1, :) with n a multiple of 16, A's element (r, k) at a[r·ars + k·aks].
#define TILE_CASE(R_, N_) case (R_) * 8 + (N_) / 16: tile(a + r * ars, ars, aks, b + j, ldb, c + r * ldc + j, ldc, R_, N_, k0, k1, accumulate); break;
#define TILE_CASES(R_) TILE_CASE(R_, 16) TILE_CASE(R_, 32) TILE_CASE(R_, 48) TILE_CASE(R_, 64)
AHA_CLONES
static void gemm(const float* a, long ars, long aks, const float* b, long ldb, float* c, long ldc, long m, long n, long k0, long k1,
                 int accumulate)
{
    for (long r = 0; r < m; r += 4)
    {
        int rows = m - r >= 4 ? 4 : (int)(m - r);
        for (long j = 0; j < n; j += 64)
        {
            int cols = n - j >= 64 ? 64 : (int)(n - j);
            switch (rows * 8 + cols / 16)
            {
                TILE_CASES(1) TILE_CASES(2) TILE_CASES(3) TILE_CASES(4)
            }
        }
    }
}

// Causal products: the rows of C in tiles of four, tile rows [r, r + 4) reading A's inner range [0, min(r + 4, kmax))
// — or, with from_row, [r, kmax): A is zero outside it (P and dS above the diagonal, Pᵀ and dSᵀ below).
AHA_CLONES
static void gemm_causal(const float* a, long ars, long aks, const float* b, long ldb, float* c, long ldc, long m, long n,
                        long kmax, int from_row, int accumulate)
{
    for (long r = 0; r < m; r += 4)
    {
        long rows = m - r >= 4 ? 4 : m - r;
        long k0 = from_row ? r : 0, k1 = from_row ? kmax : (r + 4 < kmax ? r + 4 : kmax);
        gemm(a + r * ars, ars, aks, b, ldb, c + r * ldc, ldc, rows, n, k0, k1, accumulate);
    }
}

static long padded_length(long t) { return (t + 15) & ~15L; }

// C [t × padded] = A·B with A [t × d] (rows lda apart) and B [d × padded] (Kᵀ or Vᵀ in scratch): each tile of four rows
// only over the keys up to its last row, rounded up to 16 — the columns the causal rows after it read (S = Q·Kᵀ
// forward, dP = dO·Vᵀ backward).
AHA_CLONES
static void gemm_causal_columns(const float* a, long lda, const float* b, float* c, long t, long d, long padded)
{
    for (long r = 0; r < t; r += 4)
    {
        long rows = t - r >= 4 ? 4 : t - r;
        gemm(a + r * lda, lda, 1, b, padded, c + r * padded, padded, rows, padded_length(r + rows), 0, d, 0);
    }
}

// dst[j][i] = src[i·ld_src + j] for i < rows, j < cols; dst's rows are ld_dst long, the rest of them zero.
static void transpose(const float* src, long ld_src, long rows, long cols, float* dst, long ld_dst)
{
    for (long j = 0; j < cols; j++)
    {
        float* d = dst + j * ld_dst;
        for (long i = 0; i < rows; i++) d[i] = src[i * ld_src + j];
        memset(d + rows, 0, (size_t)(ld_dst - rows) * sizeof(float));
    }
}

// Lanes [0, count) of a vector set, the rest clear.
AHA_INLINE i16 lanes_below(long count)
{
    const i16 iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return iota < (i16){0} + (int)(count < 16 ? count : 16);
}

// Rows are computed, and read, only up to their last key rounded up to 16, which is the same for the four rows of a
// tile (tiles start at multiples of four); a row's padding is its own, so whole vectors are read and written there.

// Row i of S (scores of keys 0..i, scaled, the mask row added) in place → its softmax, zero from key i + 1 to key i
// rounded up to 16. Only the mask, t floats a row, is read to key i exactly. Masked entries hold the most negative float:
// e^(s − max) flushes them to 0, as libtorch's does; a row masked whole (a padding query) gets equal weights on keys
// 0..i — finite, and read by nothing.
AHA_CLONES
static void softmax_row(float* s, const float* mask, long i, float scale)
{
    long n = i + 1, end = padded_length(n);
    const v16 none = splat(-__builtin_inff());
    v16 top = none;
    for (long j = 0; j < end; j += 16)
    {
        v16 x = load16(s + j) * scale;
        if (mask) x += n - j >= 16 ? load16(mask + j) : load(mask + j, n - j);
        x = blend(lanes_below(n - j), x, none);
        memcpy(s + j, &x, sizeof x);
        top = blend(x > top, x, top);
    }
    float m = top[0];
    for (int l = 1; l < 16; l++) m = top[l] > m ? top[l] : m;
    v16 sum = {0};
    for (long j = 0; j < end; j += 16)
    {
        v16 x = load16(s + j) - m;
        v16 e = blend(x >= -87.0f, exp16(x), splat(0.0f)); // e^x below −87 is 0 in float32 to within 2e−38
        memcpy(s + j, &e, sizeof e);
        sum += e;
    }
    float inv = 1.0f / hsum(sum);
    for (long j = 0; j < end; j += 16)
    {
        v16 x = load16(s + j) * inv;
        memcpy(s + j, &x, sizeof x);
    }
}

// Row i of dP in place → dS = scale·P ∘ (dP − Σ_j P_j·dP_j), zero beyond key i as P is.
AHA_CLONES
static void softmax_backward_row(float* ds, const float* p, long i, float scale)
{
    long end = padded_length(i + 1);
    v16 dot = {0};
    for (long j = 0; j < end; j += 16) dot += load16(p + j) * load16(ds + j);
    float delta = hsum(dot);
    for (long j = 0; j < end; j += 16)
    {
        v16 x = load16(p + j) * (load16(ds + j) - delta) * scale;
        memcpy(ds + j, &x, sizeof x);
    }
}

// Forward. q [B, nh, T, D], k and v [B, nkv, T, D] through their strides qs, ks, vs (in floats, of the first three
// dimensions; the last is contiguous); mask [B or 1, 1, T, T] contiguous (mask_b
// floats apart, 0 to broadcast) or null for plain causal; out [B, T, nh, D] contiguous; p [B, nh, T, padded(T)], the
// probabilities the backward reads.
void aha_attention(const float* q, const long* qs, const float* k, const long* ks, const float* v, const long* vs,
                   const float* mask, long mask_b, float* out, float* p, long batch, long heads, long kv_heads, long t,
                   long d, float scale, int threads)
{
    long padded = padded_length(t), rep = heads / kv_heads;
    #pragma omp parallel num_threads(threads)
    {
        float* kt = malloc((size_t)(d * padded) * sizeof(float)); // Kᵀ [D, padded]
        #pragma omp for schedule(dynamic)
        for (long task = 0; task < batch * heads; task++)
        {
            long b = task / heads, h = task % heads, g = h / rep;
            const float* qh = q + b * qs[0] + h * qs[1];
            const float* kh = k + b * ks[0] + g * ks[1];
            const float* vh = v + b * vs[0] + g * vs[1];
            float* ph = p + task * t * padded;
            float* oh = out + b * t * heads * d + h * d;
            transpose(kh, ks[2], t, d, kt, padded);
            gemm_causal_columns(qh, qs[2], kt, ph, t, d, padded); // S = Q·Kᵀ
            for (long i = 0; i < t; i++) softmax_row(ph + i * padded, mask ? mask + b * mask_b + i * t : 0, i, scale);
            gemm_causal(ph, padded, 1, vh, vs[2], oh, heads * d, t, d, t, 0, 0);
        }
        free(kt);
    }
}

// Backward: from the forward's inputs, its p, and dout [B, T, nh, D] contiguous, the gradients dq [B, nh, T, D], dk and
// dv [B, nkv, T, D], all contiguous. One task per (batch, K/V head), so each owns its dk and dv.
void aha_attention_backward(const float* q, const long* qs, const float* k, const long* ks, const float* v, const long* vs,
                            const float* p, const float* dout, float* dq, float* dk, float* dv, long batch, long heads,
                            long kv_heads, long t, long d, float scale, int threads)
{
    long padded = padded_length(t), rep = heads / kv_heads;
    #pragma omp parallel num_threads(threads)
    {
        float* vt = malloc((size_t)(d * padded) * sizeof(float));      // Vᵀ [D, padded]
        float* ds = malloc((size_t)(t * padded) * sizeof(float));      // dP, then dS [T, padded]
        #pragma omp for schedule(dynamic)
        for (long task = 0; task < batch * kv_heads; task++)
        {
            long b = task / kv_heads, g = task % kv_heads;
            const float* kh = k + b * ks[0] + g * ks[1];
            const float* vh = v + b * vs[0] + g * vs[1];
            float* dkh = dk + task * t * d;
            float* dvh = dv + task * t * d;
            transpose(vh, vs[2], t, d, vt, padded);
            for (long h = g * rep; h < (g + 1) * rep; h++)
            {
                const float* qh = q + b * qs[0] + h * qs[1];
                const float* ph = p + (b * heads + h) * t * padded;
                const float* doh = dout + b * t * heads * d + h * d;
                int first = h == g * rep;
                // dV += Pᵀ·dO: Pᵀ's row j is zero before query j.
                gemm_causal(ph, 1, padded, doh, heads * d, dvh, d, t, d, t, 1, !first);
                // dP = dO·Vᵀ, then dS row by row.
                gemm_causal_columns(doh, heads * d, vt, ds, t, d, padded);
                for (long i = 0; i < t; i++) softmax_backward_row(ds + i * padded, ph + i * padded, i, scale);
                // dQ = dS·K; dK += dSᵀ·Q.
                gemm_causal(ds, padded, 1, kh, ks[2], dq + (b * heads + h) * t * d, d, t, d, t, 0, 0);
                gemm_causal(ds, 1, padded, qh, qs[2], dkh, d, t, d, t, 1, !first);
            }
        }
        free(vt);
        free(ds);
    }
}
