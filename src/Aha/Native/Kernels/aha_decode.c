// One decoder block of a decode step — a few sequences, one new token each — as a single call:
//   h = x + o_proj(attention(rope(q), rope(k) ⧺ cache, v ⧺ cache));  out = h + down(silu(gate(n₂)) ⊙ up(n₂)),
// with q, k, v = projections of n₁ = rmsnorm(x) ⊙ g₁, n₂ = rmsnorm(h) ⊙ g₂ (Llama, Qwen2's qkv bias, Qwen3's q/k norm).
// The model's tensors are float32, or all bfloat16 (weights, gains, biases, x, out, the cache and the mask); either way
// the block computes in float32 and rounds to bfloat16 only what it stores: the new key and value, and its output.
//
// Why this exists: at batch 1 a block's weights stream through the few-row kernel at the memory's pace, but libtorch
// runs the rest of the block as some fifty small ops, each a dispatch through TorchSharp and ATen that costs more than
// its arithmetic; over a 24-block model that was a quarter of a decode step (docs/performance.md). Here the block is
// one OpenMP region: the same row kernels (aha_kernels.h) with a barrier between the phases that depend on each other.
#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aha_kernels.h"
#include "aha_vector.h"

// Every field 8 bytes, in the order Native/DecodeLayer.cs declares them.
typedef struct
{
    long batch, hidden, heads, kv_heads, head_dim, intermediate;
    long cache_capacity, cache_length; // the cache's positions, and those filled before this step (its own goes there)
    long mask_stride;                  // elements between the mask's rows
    long threads;
    long bf16;                         // nonzero: every tensor below but rotation and scratch is bfloat16
    double eps;                        // RMSNorm's ε (blocks and q/k norms alike)
    const void* x;                     // [B, H] the residual stream in
    void* out;                         // [B, H] the residual stream out
    const void *input_norm, *post_norm, *q_norm, *k_norm; // gains; q/k norm's [D] or null
    const void *wq, *bq, *wk, *bk, *wv, *bv, *wo, *bo;    // [out, in] weights; biases or null
    const void *wg, *bg, *wu, *bu, *wd, *bd;
    const float* rotation; // [B, D/2, 2] float32: (cos, sin) of each row's position, pairs in RoPE's interleaved order
    void *k_cache, *v_cache; // [B, nkv, capacity, D]
    const void* mask;      // [B, ≥ length + 1] additive, or null: every key visible
    float* scratch;        // aha_decode_layer_scratch() floats
} decode_layer_args;

enum { Block = 64 }; // weight rows per scheduling unit, as aha_kernels.c's

// Floats of scratch one call needs.
long aha_decode_layer_scratch(long batch, long hidden, long heads, long kv_heads, long head_dim, long intermediate,
                              long cache_capacity, long threads)
{
    long activations = batch * (5 * hidden + 2 * heads * head_dim + 2 * kv_heads * head_dim + 3 * intermediate);
    long parameters = 4 * hidden + 2 * head_dim + heads * head_dim + 2 * kv_heads * head_dim + 2 * intermediate;
    return activations + parameters + threads * cache_capacity;
}

// Round to nearest, ties to even, as libtorch's conversion does.
static inline uint16_t float_to_bf16(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40); // NaN stays NaN
    return (uint16_t)((bits + 0x7fffu + ((bits >> 16) & 1)) >> 16);
}

// p as float32: itself, or its n elements widened into `room` (advanced past them). Null stays null.
static const float* widened(const void* p, long n, int bf16, float** room)
{
    if (!p || !bf16) return p;
    float* f = *room;
    for (long i = 0; i < n; i++) f[i] = load1_w(p, i, 1);
    *room += n;
    return f;
}

static void store_row(void* dst, const float* src, long n, int bf16)
{
    if (!bf16) memcpy(dst, src, (size_t)n * sizeof(float));
    else
        for (long i = 0; i < n; i++) ((uint16_t*)dst)[i] = float_to_bf16(src[i]);
}

// y (= or +=) x·Wᵀ + b for the m rows of x, this thread's share of W's rows; the caller's region supplies the threads.
static void linear_share(const float* x, long m, const void* w, int bf16, long n, long k, const float* bias, float* y, int accumulate)
{
    long blocks = (n + Block - 1) / Block;
#pragma omp for schedule(static) nowait
    for (long i = 0; i < blocks; i++)
    {
        long n0 = i * Block, n1 = n0 + Block < n ? n0 + Block : n;
        linear_rows(x, k, m, w, bf16, k, bias, y, n, n0, n1, accumulate);
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

// out = softmax(q·Kᵀ/√D + mask)·V over the `keys` cached positions of one K/V head (K, V and the mask in the
// model's type); scores: `keys` floats of scratch.
AHA_INLINE void attend_typed(const float* q, const void* k, const void* v, long keys, long dim, const void* mask, int bf16,
                             float* scores, float* out)
{
    size_t width = bf16 ? 2 : 4;
    float scale = (float)(1.0 / sqrt((double)dim)), top = -INFINITY;
    for (long t = 0; t < keys; t++)
    {
        const char* kt = (const char*)k + (size_t)t * dim * width;
        v16 acc = {0};
        for (long j = 0; j < dim; j += 16) acc += load(q + j, dim - j) * load_w(kt, j, dim, bf16);
        float s = hsum(acc) * scale;
        if (mask) s += load1_w(mask, t, bf16);
        scores[t] = s;
        if (s > top) top = s;
    }
    float sum = 0;
    for (long t = 0; t < keys; t++) sum += scores[t] = expf(scores[t] - top);
    memset(out, 0, (size_t)dim * sizeof(float));
    for (long t = 0; t < keys; t++)
    {
        const char* vt = (const char*)v + (size_t)t * dim * width;
        float p = scores[t] / sum;
        for (long j = 0; j < dim; j += 16) store(out + j, load(out + j, dim - j) + p * load_w(vt, j, dim, bf16), dim - j);
    }
}

AHA_CLONES
static void attend(const float* q, const void* k, const void* v, long keys, long dim, const void* mask, int bf16, float* scores, float* out)
{
    if (bf16) attend_typed(q, k, v, keys, dim, mask, 1, scores, out);
    else attend_typed(q, k, v, keys, dim, mask, 0, scores, out);
}

void aha_decode_layer(const decode_layer_args* a)
{
    const long B = a->batch, H = a->hidden, nh = a->heads, nkv = a->kv_heads, D = a->head_dim, I = a->intermediate;
    const long qw = nh * D, kw = nkv * D, keys = a->cache_length + 1, cap = a->cache_capacity;
    const int bf16 = a->bf16 != 0;
    const size_t width = bf16 ? 2 : 4;
    const float eps = (float)a->eps;
    float *n1 = a->scratch, *q = n1 + B * H, *k = q + B * qw, *v = k + B * kw, *att = v + B * kw, *h = att + B * qw,
          *n2 = h + B * H, *g = n2 + B * H, *u = g + B * I, *act = u + B * I, *x32 = act + B * I, *y32 = x32 + B * H,
          *room = y32 + B * H;
    // The residual stream and the small parameters as float32 (widened here when bfloat16; the weights stream as stored).
    float* xroom = x32;
    const float *x = widened(a->x, B * H, bf16, &xroom), *g1 = widened(a->input_norm, H, bf16, &room),
                *g2 = widened(a->post_norm, H, bf16, &room), *gq = widened(a->q_norm, D, bf16, &room),
                *gk = widened(a->k_norm, D, bf16, &room), *bq = widened(a->bq, qw, bf16, &room),
                *bk = widened(a->bk, kw, bf16, &room), *bv = widened(a->bv, kw, bf16, &room),
                *bo = widened(a->bo, H, bf16, &room), *bg = widened(a->bg, I, bf16, &room),
                *bu = widened(a->bu, I, bf16, &room), *bd = widened(a->bd, H, bf16, &room);
    float* scores = room;
    float* y = bf16 ? y32 : (float*)a->out;

#pragma omp parallel num_threads((int)a->threads) if (a->threads > 1)
    {
#pragma omp single
        {
            rms_norm_rows(x, n1, NULL, 0, B, H, eps);
            scale_rows(n1, B, H, g1);
        }
        linear_share(n1, B, a->wq, bf16, qw, H, bq, q, 0);
        linear_share(n1, B, a->wk, bf16, kw, H, bk, k, 0);
        linear_share(n1, B, a->wv, bf16, kw, H, bv, v, 0);
#pragma omp barrier
        // Each new key: normed (Qwen3), rotated and written to the cache with its value at this step's position.
#pragma omp for schedule(static)
        for (long i = 0; i < B * nkv; i++)
        {
            long b = i / nkv;
            float* ki = k + i * D;
            if (gk) norm_rows(ki, 1, D, gk, eps);
            rope(ki, D, a->rotation + b * D);
            size_t at = ((size_t)i * cap + a->cache_length) * D * width;
            store_row((char*)a->k_cache + at, ki, D, bf16);
            store_row((char*)a->v_cache + at, v + i * D, D, bf16);
        }
        // Each query head reads K/V head h / (nh / nkv), as grouped-query attention's repeat_kv arranges.
        float* own = scores + (long)omp_get_thread_num() * cap;
#pragma omp for schedule(static)
        for (long i = 0; i < B * nh; i++)
        {
            long b = i / nh, head = i % nh, kv = b * nkv + head / (nh / nkv);
            float* qi = q + i * D;
            if (gq) norm_rows(qi, 1, D, gq, eps);
            rope(qi, D, a->rotation + b * D);
            size_t base = (size_t)kv * cap * D * width;
            attend(qi, (const char*)a->k_cache + base, (const char*)a->v_cache + base, keys, D,
                   a->mask ? (const char*)a->mask + (size_t)b * a->mask_stride * width : NULL, bf16, own, att + i * D);
        }
#pragma omp single
        memcpy(h, x, (size_t)(B * H) * sizeof(float));
        linear_share(att, B, a->wo, bf16, H, qw, bo, h, 1);
#pragma omp barrier
#pragma omp single
        {
            rms_norm_rows(h, n2, NULL, 0, B, H, eps);
            scale_rows(n2, B, H, g2);
        }
        linear_share(n2, B, a->wg, bf16, I, H, bg, g, 0);
        linear_share(n2, B, a->wu, bf16, I, H, bu, u, 0);
#pragma omp barrier
        long chunks = (B * I + 1023) / 1024;
#pragma omp for schedule(static)
        for (long c = 0; c < chunks; c++) swiglu_range(g, u, act, c * 1024, (c + 1) * 1024 < B * I ? (c + 1) * 1024 : B * I);
#pragma omp single
        memcpy(y, h, (size_t)(B * H) * sizeof(float));
        linear_share(act, B, a->wd, bf16, H, I, bd, y, 1);
    }
    if (bf16) store_row(a->out, y, B * H, 1);
}
