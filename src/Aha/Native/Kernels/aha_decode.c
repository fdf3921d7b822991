// One decoder block of a decode step — a few sequences, one new token each — in float32, as a single call:
//   h = x + o_proj(attention(rope(q), rope(k) ⧺ cache, v ⧺ cache));  out = h + down(silu(gate(n₂)) ⊙ up(n₂)),
// with q, k, v = projections of n₁ = rmsnorm(x) ⊙ g₁, n₂ = rmsnorm(h) ⊙ g₂ (Llama, Qwen2's qkv bias, Qwen3's q/k norm).
//
// Why this exists: at batch 1 a block's weights stream through the few-row kernel at the memory's pace, but libtorch
// runs the rest of the block as some fifty small ops, each a dispatch through TorchSharp and ATen that costs more than
// its arithmetic; over a 24-block model that was a quarter of a decode step (docs/performance.md). Here the block is
// one OpenMP region: the same row kernels (aha_kernels.h) with a barrier between the phases that depend on each other.
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <omp.h>

#include "aha_kernels.h"
#include "aha_vector.h"

// Every field 8 bytes, in the order Native/DecodeLayer.cs declares them.
typedef struct
{
    long batch, hidden, heads, kv_heads, head_dim, intermediate;
    long cache_capacity, cache_length; // the cache's positions, and those filled before this step (its own goes there)
    long mask_stride;                  // floats between the mask's rows
    long threads;
    double eps;                        // RMSNorm's ε (blocks and q/k norms alike)
    const float* x;                    // [B, H] the residual stream in
    float* out;                        // [B, H] the residual stream out
    const float *input_norm, *post_norm, *q_norm, *k_norm; // gains; q/k norm's [D] or null
    const float *wq, *bq, *wk, *bk, *wv, *bv, *wo, *bo;    // [out, in] weights; biases or null
    const float *wg, *bg, *wu, *bu, *wd, *bd;
    const float* rotation; // [B, D/2, 2]: (cos, sin) of each row's position, pairs in RoPE's interleaved order
    float *k_cache, *v_cache; // [B, nkv, capacity, D]
    const float* mask;     // [B, ≥ length + 1] additive, or null: every key visible
    float* scratch;        // aha_decode_layer_scratch() floats
} decode_layer_args;

enum { Block = 64 }; // weight rows per scheduling unit, as aha_kernels.c's

// Floats of scratch one call needs.
long aha_decode_layer_scratch(long batch, long hidden, long heads, long kv_heads, long head_dim, long intermediate,
                              long cache_capacity, long threads)
{
    return batch * (3 * hidden + 2 * heads * head_dim + 2 * kv_heads * head_dim + 3 * intermediate) + threads * cache_capacity;
}

// y (= or +=) x·Wᵀ + b for the m rows of x, this thread's share of W's rows; the caller's region supplies the threads.
static void linear_share(const float* x, long m, const float* w, long n, long k, const float* bias, float* y, int accumulate)
{
    long blocks = (n + Block - 1) / Block;
#pragma omp for schedule(static) nowait
    for (long i = 0; i < blocks; i++)
    {
        long n0 = i * Block, n1 = n0 + Block < n ? n0 + Block : n;
        linear_rows(x, k, m, w, 0, k, bias, y, n, n0, n1, accumulate);
    }
}

// Each of the rows of v (`dim` long) ⊙ gain.
static void scale_rows(float* v, long rows, long dim, const float* gain)
{
    for (long r = 0; r < rows; r++)
        for (long j = 0; j < dim; j++) v[r * dim + j] *= gain[j];
}

// x ← RMSNorm(x) ⊙ gain over each of the rows (a head's q or k: Qwen3's q_norm / k_norm).
static void norm_rows(float* x, long rows, long dim, const float* gain, float eps)
{
    rms_norm_rows(x, x, NULL, 0, rows, dim, eps);
    scale_rows(x, rows, dim, gain);
}

// Rotates the pairs (x₂ⱼ, x₂ⱼ₊₁) of one head by the angles whose (cos, sin) are rot[2j], rot[2j + 1]: complex multiplication.
static void rope(float* x, long dim, const float* rot)
{
    for (long j = 0; j < dim / 2; j++)
    {
        float a = x[2 * j], b = x[2 * j + 1], c = rot[2 * j], s = rot[2 * j + 1];
        x[2 * j] = a * c - b * s;
        x[2 * j + 1] = a * s + b * c;
    }
}

// Up to 16 floats from p (the rest zero), and back: a head's tail runs through the same vector code as its body.
static inline __attribute__((always_inline)) v16 load(const float* p, long count)
{
    v16 v = {0};
    if (count >= 16) memcpy(&v, p, sizeof v);
    else memcpy(&v, p, (size_t)count * sizeof(float));
    return v;
}

static inline __attribute__((always_inline)) void store(float* p, v16 v, long count)
{
    if (count >= 16) memcpy(p, &v, sizeof v);
    else memcpy(p, &v, (size_t)count * sizeof(float));
}

// out = softmax(q·Kᵀ/√D + mask)·V over the `keys` cached positions of one K/V head; scores: `keys` floats of scratch.
AHA_CLONES
static void attend(const float* q, const float* k, const float* v, long keys, long dim, const float* mask, float* scores, float* out)
{
    float scale = (float)(1.0 / sqrt((double)dim)), top = -INFINITY;
    for (long t = 0; t < keys; t++)
    {
        v16 acc = {0};
        for (long j = 0; j < dim; j += 16) acc += load(q + j, dim - j) * load(k + t * dim + j, dim - j);
        float s = hsum(acc) * scale;
        if (mask) s += mask[t];
        scores[t] = s;
        if (s > top) top = s;
    }
    float sum = 0;
    for (long t = 0; t < keys; t++) sum += scores[t] = expf(scores[t] - top);
    memset(out, 0, (size_t)dim * sizeof(float));
    for (long t = 0; t < keys; t++)
    {
        float p = scores[t] / sum;
        for (long j = 0; j < dim; j += 16) store(out + j, load(out + j, dim - j) + p * load(v + t * dim + j, dim - j), dim - j);
    }
}

void aha_decode_layer(const decode_layer_args* a)
{
    const long B = a->batch, H = a->hidden, nh = a->heads, nkv = a->kv_heads, D = a->head_dim, I = a->intermediate;
    const long qw = nh * D, kw = nkv * D, keys = a->cache_length + 1, cap = a->cache_capacity;
    const float eps = (float)a->eps;
    float *n1 = a->scratch, *q = n1 + B * H, *k = q + B * qw, *v = k + B * kw, *att = v + B * kw, *h = att + B * qw,
          *n2 = h + B * H, *g = n2 + B * H, *u = g + B * I, *act = u + B * I, *scores = act + B * I;

#pragma omp parallel num_threads((int)a->threads) if (a->threads > 1)
    {
#pragma omp single
        {
            rms_norm_rows(a->x, n1, NULL, 0, B, H, eps);
            scale_rows(n1, B, H, a->input_norm);
        }
        linear_share(n1, B, a->wq, qw, H, a->bq, q, 0);
        linear_share(n1, B, a->wk, kw, H, a->bk, k, 0);
        linear_share(n1, B, a->wv, kw, H, a->bv, v, 0);
#pragma omp barrier
        // Each new key: normed (Qwen3), rotated and written to the cache with its value at this step's position.
#pragma omp for schedule(static)
        for (long i = 0; i < B * nkv; i++)
        {
            long b = i / nkv;
            float* ki = k + i * D;
            if (a->k_norm) norm_rows(ki, 1, D, a->k_norm, eps);
            rope(ki, D, a->rotation + b * D);
            size_t at = ((size_t)i * cap + a->cache_length) * D;
            memcpy(a->k_cache + at, ki, (size_t)D * sizeof(float));
            memcpy(a->v_cache + at, v + i * D, (size_t)D * sizeof(float));
        }
        // Each query head reads K/V head h / (nh / nkv), as grouped-query attention's repeat_kv arranges.
        float* own = scores + (long)omp_get_thread_num() * cap;
#pragma omp for schedule(static)
        for (long i = 0; i < B * nh; i++)
        {
            long b = i / nh, head = i % nh, kv = b * nkv + head / (nh / nkv);
            float* qi = q + i * D;
            if (a->q_norm) norm_rows(qi, 1, D, a->q_norm, eps);
            rope(qi, D, a->rotation + b * D);
            attend(qi, a->k_cache + (size_t)kv * cap * D, a->v_cache + (size_t)kv * cap * D, keys, D,
                   a->mask ? a->mask + b * a->mask_stride : NULL, own, att + i * D);
        }
#pragma omp single
        memcpy(h, a->x, (size_t)(B * H) * sizeof(float));
        linear_share(att, B, a->wo, H, qw, a->bo, h, 1);
#pragma omp barrier
#pragma omp single
        {
            rms_norm_rows(h, n2, NULL, 0, B, H, eps);
            scale_rows(n2, B, H, a->post_norm);
        }
        linear_share(n2, B, a->wg, I, H, a->bg, g, 0);
        linear_share(n2, B, a->wu, I, H, a->bu, u, 0);
#pragma omp barrier
        long chunks = (B * I + 1023) / 1024;
#pragma omp for schedule(static)
        for (long c = 0; c < chunks; c++) swiglu_range(g, u, act, c * 1024, (c + 1) * 1024 < B * I ? (c + 1) * 1024 : B * I);
#pragma omp single
        memcpy(a->out, h, (size_t)(B * H) * sizeof(float));
        linear_share(act, B, a->wd, H, I, a->bd, a->out, 1);
    }
}
