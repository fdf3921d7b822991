// Linear layers for few rows: y = x·Wᵀ (+ b), or y += x·Wᵀ, for x of a few rows and a row-major weight W [n, k] in
// float32 or bfloat16 (x, b and y in float32 either way; a bfloat16 weight widens to float32 exactly as it is loaded).
//
// Why this exists: decoding one token reads every weight once, so its speed is set by memory bandwidth. MKL's sgemm
// and sgemv, which libtorch calls for such products, repack W or stream it at a fraction of the bandwidth an ATen
// reduction reaches on the same machine (docs/performance.md). Here each row of W is read once and dotted against
// every row of x while it is in L1.
//
// One source for every x86-64 CPU: GCC's vector extensions compile to AVX-512, AVX2+FMA or SSE2 in three clones
// of the kernel, chosen at load time by the CPU (target_clones, aha_vector.h); elsewhere the plain C build runs.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aha_kernels.h"
#include "aha_vector.h"

// out[r] = Σ_j w[j]·x[r, j] for r < R (R ≤ 4, a constant once inlined, so the accumulators stay in registers). The
// weight row streams once, sequentially, U vectors a step (4 for one x row, whose loop is bound by memory alone; 2
// otherwise, to stay within AVX2's sixteen registers). Measured: several weight rows a step in parallel streams, or a
// software prefetch, lost a third of the bandwidth to the hardware prefetcher alone.
AHA_INLINE void dot_rows(const void* w, int bf16, const float* x, long ldx, long k, int R, float* out)
{
    const int U = R == 1 ? 4 : 2;
    long step = 16L * U, kU = k / step * step, k16 = k & ~15L, j = 0;
    v16 a[4][4] = {{{0}}};
    for (; j < kU; j += step)
        for (int u = 0; u < U; u++)
        {
            v16 wv = load16_w(w, j + 16 * u, bf16);
            for (int r = 0; r < R; r++) a[r][u] += wv * load16(x + r * ldx + j + 16 * u);
        }
    for (; j < k16; j += 16)
    {
        v16 wv = load16_w(w, j, bf16);
        for (int r = 0; r < R; r++) a[r][0] += wv * load16(x + r * ldx + j);
    }
    for (int r = 0; r < R; r++)
    {
        v16 acc = a[r][0];
        for (int u = 1; u < U; u++) acc += a[r][u];
        float t = hsum(acc);
        for (long i = j; i < k; i++) t += load1_w(w, i, bf16) * x[r * ldx + i];
        out[r] = t;
    }
}

// y[r, n] (= or +=) Σ_j x[r, j]·w[n, j] (+ bias[n]) for r < m and n in [n0, n1). Each weight row is read from
// memory once; groups of four x rows after the first reread it from L1.
AHA_INLINE void rows_of(const float* x, long ldx, long m, const void* w, int bf16, long k,
                                                          const float* bias, float* y, long ldy, long n0, long n1, int accumulate)
{
    size_t row_bytes = (size_t)k * (bf16 ? 2 : 4);
    for (long n = n0; n < n1; n++)
    {
        const void* wn = (const char*)w + n * row_bytes;
        float b = bias ? bias[n] : 0.0f;
        for (long r0 = 0; r0 < m; r0 += 4)
        {
            float out[4];
            const float* xr = x + r0 * ldx;
            switch (m - r0 < 4 ? m - r0 : 4)
            {
            case 1: dot_rows(wn, bf16, xr, ldx, k, 1, out); break;
            case 2: dot_rows(wn, bf16, xr, ldx, k, 2, out); break;
            case 3: dot_rows(wn, bf16, xr, ldx, k, 3, out); break;
            default: dot_rows(wn, bf16, xr, ldx, k, 4, out); break;
            }
            for (int r = 0; r < 4 && r0 + r < m; r++)
            {
                float* o = y + (r0 + r) * ldy + n;
                *o = accumulate ? *o + out[r] + b : out[r] + b;
            }
        }
    }
}

// One specialisation per weight type (a constant bf16 once inlined), each in the three instruction-set clones.
AHA_CLONES
void linear_rows(const float* x, long ldx, long m, const void* w, int bf16, long k, const float* bias,
                        float* y, long ldy, long n0, long n1, int accumulate)
{
    if (bf16) rows_of(x, ldx, m, w, 1, k, bias, y, ldy, n0, n1, accumulate);
    else rows_of(x, ldx, m, w, 0, k, bias, y, ldy, n0, n1, accumulate);
}

// The output columns are split across OpenMP's threads — libtorch's own pool (libgomp is loaded once per process),
// so the thread that would spin waiting for libtorch's next parallel region does this work instead of competing with
// a second pool for the core.
static void linear(const float* x, long ldx, long m, const void* w, int bf16, long n, long k, const float* bias,
                   float* y, long ldy, int accumulate, int threads)
{
    enum { Block = 64 }; // weight rows per scheduling unit
    long blocks = (n + Block - 1) / Block;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (long i = 0; i < blocks; i++)
    {
        long n0 = i * Block, n1 = n0 + Block < n ? n0 + Block : n;
        linear_rows(x, ldx, m, w, bf16, k, bias, y, ldy, n0, n1, accumulate);
    }
}

// y = x·Wᵀ (+ bias), or y += x·Wᵀ (+ bias) when accumulate ≠ 0, for x: [m, k] (row stride ldx), W: [n, k] contiguous
// float32, y: [m, n] (row stride ldy), bias: null or [n]; on `threads` threads (libtorch's intra-op count, which
// OpenMP does not carry over to threads other than the one that set it).
void aha_linear(const float* x, long ldx, long m, const float* w, long n, long k, const float* bias,
                float* y, long ldy, int accumulate, int threads)
{
    linear(x, ldx, m, w, 0, n, k, bias, y, ldy, accumulate, threads);
}

// The same with W in bfloat16 (its raw 16-bit patterns); x, bias and y stay float32.
void aha_linear_bf16(const float* x, long ldx, long m, const uint16_t* w, long n, long k, const float* bias,
                     float* y, long ldy, int accumulate, int threads)
{
    linear(x, ldx, m, w, 1, n, k, bias, y, ldy, accumulate, threads);
}
