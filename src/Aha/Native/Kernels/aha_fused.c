// Fused elementwise chains of a decoder block, forward and backward, in float32: RMSNorm without its gain (the gain
// goes into the next linear layer's weights, Models/GainedLinear.cs) and SwiGLU's silu(g)·u.
//
// Why this exists: libtorch runs each chain as separate kernels, every one a pass over the activations, and autograd
// adds as many backward. RMSNorm's backward alone is eight passes over [tokens, hidden] where one suffices; SwiGLU's
// forward and backward five over [tokens, intermediate] where two do (docs/performance.md). Here each direction is
// one pass: read the inputs once, write the outputs once.
//
// Same build as aha_kernels.c: GCC vector extensions in AVX-512, AVX2+FMA and SSE2 clones (aha_vector.h), and
// OpenMP on libtorch's own pool with the thread count passed in.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "aha_kernels.h"
#include "aha_vector.h"

// Below this many elements a call runs on one thread: a parallel region costs more than the work.
enum { ParallelMin = 1 << 15 };

AHA_INLINE v16 sigmoid16(v16 g) { return 1.0f / (1.0f + exp16(-g)); }

// n = x / √(mean(x²) + ε) over each row of x [rows, dim]; rstd[row] = 1 / √(mean(x²) + ε), which the backward reads.
AHA_CLONES
void rms_norm_rows(const float* x, float* n, float* rstd, long r0, long r1, long dim, float eps)
{
    for (long row = r0; row < r1; row++)
    {
        const float* xr = x + row * dim;
        v16 ss = {0};
        for (long j = 0; j < dim; j += 16)
        {
            v16 v = load(xr + j, dim - j);
            ss += v * v;
        }
        float r = 1.0f / sqrtf(hsum(ss) / (float)dim + eps);
        if (rstd) rstd[row] = r;
        for (long j = 0; j < dim; j += 16) store(n + row * dim + j, load(xr + j, dim - j) * r, dim - j);
    }
}

// n = x·r per row gives ∂n_i/∂x_j = r·δ_ij − r³·x_i·x_j / d, so dx = r·(dn − n·mean(dn ⊙ n)), from n and r alone.
AHA_CLONES
static void rms_norm_backward_rows(const float* n, const float* rstd, const float* dn, float* dx, long r0, long r1, long dim)
{
    for (long row = r0; row < r1; row++)
    {
        const float *nr = n + row * dim, *dr = dn + row * dim;
        v16 dot = {0};
        for (long j = 0; j < dim; j += 16) dot += load(nr + j, dim - j) * load(dr + j, dim - j);
        float c = hsum(dot) / (float)dim, r = rstd[row];
        for (long j = 0; j < dim; j += 16)
            store(dx + row * dim + j, (load(dr + j, dim - j) - load(nr + j, dim - j) * c) * r, dim - j);
    }
}

// y = silu(g)·u = g·σ(g)·u.
AHA_CLONES
void swiglu_range(const float* g, const float* u, float* y, long i0, long i1)
{
    for (long i = i0; i < i1; i += 16)
    {
        v16 gv = load(g + i, i1 - i);
        store(y + i, gv * sigmoid16(gv) * load(u + i, i1 - i), i1 - i);
    }
}

// d silu(g)/dg = σ(g)·(1 + g·(1 − σ(g))): dg = dy·u·σ(g)·(1 + g·(1 − σ(g))), du = dy·g·σ(g).
AHA_CLONES
static void swiglu_backward_range(const float* g, const float* u, const float* dy, float* dg, float* du, long i0, long i1)
{
    for (long i = i0; i < i1; i += 16)
    {
        v16 gv = load(g + i, i1 - i), s = sigmoid16(gv), d = load(dy + i, i1 - i);
        store(dg + i, d * load(u + i, i1 - i) * s * (1.0f + gv * (1.0f - s)), i1 - i);
        store(du + i, d * gv * s, i1 - i);
    }
}

// Rows split across threads in contiguous blocks; one thread when the whole job is small.
#define FOR_ROW_BLOCKS(rows, dim, threads, CALL)                                                          \
    do {                                                                                                  \
        int t_ = (rows) * (dim) >= ParallelMin && (threads) > 1 ? (threads) : 1;                          \
        _Pragma("omp parallel for schedule(static) num_threads(t_) if (t_ > 1)")                          \
        for (int b_ = 0; b_ < t_; b_++)                                                                   \
        {                                                                                                 \
            long r0 = (rows) * b_ / t_, r1 = (rows) * (b_ + 1) / t_;                                      \
            CALL;                                                                                         \
        }                                                                                                 \
    } while (0)

// n [rows, dim] = x / √(mean(x²) + ε) per row; rstd [rows] = 1 / √(mean(x²) + ε), or null when no backward follows.
void aha_rms_norm(const float* x, float* n, float* rstd, long rows, long dim, float eps, int threads)
{
    FOR_ROW_BLOCKS(rows, dim, threads, rms_norm_rows(x, n, rstd, r0, r1, dim, eps));
}

// dx [rows, dim] from the forward's n and rstd and the gradient dn of n.
void aha_rms_norm_backward(const float* n, const float* rstd, const float* dn, float* dx, long rows, long dim, int threads)
{
    FOR_ROW_BLOCKS(rows, dim, threads, rms_norm_backward_rows(n, rstd, dn, dx, r0, r1, dim));
}

// Element blocks of 16 floats, so each thread's share starts on a vector boundary.
#define FOR_ELEMENT_BLOCKS(count, threads, CALL)                                                          \
    do {                                                                                                  \
        long vectors_ = ((count) + 15) / 16;                                                              \
        int t_ = (count) >= ParallelMin && (threads) > 1 ? (threads) : 1;                                 \
        _Pragma("omp parallel for schedule(static) num_threads(t_) if (t_ > 1)")                          \
        for (int b_ = 0; b_ < t_; b_++)                                                                   \
        {                                                                                                 \
            long i0 = 16 * (vectors_ * b_ / t_), i1 = 16 * (vectors_ * (b_ + 1) / t_);                    \
            if (i1 > (count)) i1 = (count);                                                               \
            if (i0 < i1) CALL;                                                                            \
        }                                                                                                 \
    } while (0)

// y = silu(g)·u elementwise over count floats.
void aha_swiglu(const float* g, const float* u, float* y, long count, int threads)
{
    FOR_ELEMENT_BLOCKS(count, threads, swiglu_range(g, u, y, i0, i1));
}

// dg, du from g, u and the gradient dy of y = silu(g)·u.
void aha_swiglu_backward(const float* g, const float* u, const float* dy, float* dg, float* du, long count, int threads)
{
    FOR_ELEMENT_BLOCKS(count, threads, swiglu_backward_range(g, u, dy, dg, du, i0, i1));
}
