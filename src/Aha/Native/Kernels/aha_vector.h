// What the kernel sources share: 16-float vectors in GCC's vector extensions, their loads (float32 or bfloat16, whole or
// a row's tail) and e^x, compiled for every x86-64 CPU as AVX-512, AVX2+FMA and SSE2 clones of each kernel chosen at load time
// (target_clones); elsewhere plain C.
#ifndef AHA_VECTOR_H
#define AHA_VECTOR_H

typedef float v16 __attribute__((vector_size(64), aligned(4))); // unaligned loads of 16 floats
typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define AHA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AHA_CLONES
#endif

#include <stdint.h>
#include <string.h>

#define AHA_INLINE static inline __attribute__((always_inline))

typedef uint16_t h16 __attribute__((vector_size(32), aligned(2))); // 16 bfloat16 bit patterns, unaligned
typedef uint32_t u16 __attribute__((vector_size(64)));

AHA_INLINE v16 load16(const float* p)
{
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

// Up to 16 floats from p (the rest zero), and back: a row's tail runs through the same vector code as its body.
AHA_INLINE v16 load(const float* p, long count)
{
    v16 v = {0};
    if (count >= 16) memcpy(&v, p, sizeof v); // a fixed size: one vector load
    else memcpy(&v, p, (size_t)count * sizeof(float));
    return v;
}

AHA_INLINE void store(float* p, v16 v, long count)
{
    if (count >= 16) memcpy(p, &v, sizeof v);
    else memcpy(p, &v, (size_t)count * sizeof(float));
}

// Elements j.. j+15 (or j) of a float32 or bfloat16 array as floats; a bfloat16 is the high half of the float32 with
// the same bits.
AHA_INLINE v16 load16_w(const void* w, long j, int bf16)
{
    if (!bf16) return load16((const float*)w + j);
    h16 h;
    memcpy(&h, (const uint16_t*)w + j, sizeof h);
    u16 bits = __builtin_convertvector(h, u16) << 16;
    v16 v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

AHA_INLINE float load1_w(const void* w, long j, int bf16)
{
    if (!bf16) return ((const float*)w)[j];
    uint32_t bits = (uint32_t)((const uint16_t*)w)[j] << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

// Elements j.. of an n-element float32 or bfloat16 array, up to 16 (the rest zero), as floats.
AHA_INLINE v16 load_w(const void* w, long j, long n, int bf16)
{
    if (n - j >= 16) return load16_w(w, j, bf16);
    v16 v = {0};
    for (long i = 0; i < n - j; i++) v[i] = load1_w(w, j + i, bf16);
    return v;
}

// The sum of v's lanes as a tree of halves (one 8-wide and one 4-wide add), not sixteen dependent scalar adds.
AHA_INLINE float hsum(v16 v)
{
    v8 s8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    v4 s4 = __builtin_shufflevector(s8, s8, 0, 1, 2, 3) + __builtin_shufflevector(s8, s8, 4, 5, 6, 7);
    return (s4[0] + s4[2]) + (s4[1] + s4[3]);
}

typedef int32_t i16 __attribute__((vector_size(64)));

AHA_INLINE v16 splat(float f) { return (v16){0} + f; }

// Lanes of a where mask is set, of b elsewhere.
AHA_INLINE v16 blend(i16 mask, v16 a, v16 b) { return (v16)((mask & (i16)a) | (~mask & (i16)b)); }

// e^x to about 1 ulp (Cephes' expf; silu from it measured within 3 ulp of float64): x = n·ln 2 + r with
// |r| ≤ ln 2 / 2, e^r by its degree-7 polynomial, 2^n put straight into the exponent bits. x is clamped to [−87, 88],
// where 2^n stays a normal float: e^−87 ≈ 1.6e−38 stands for anything smaller, which as 1 + e^x or x·e^x is lost to
// rounding anyway.
AHA_INLINE v16 exp16(v16 x)
{
    const v16 lo = splat(-87.0f), hi = splat(88.0f);
    x = blend(x < lo, lo, x);
    x = blend(x > hi, hi, x);
    const float shifter = 12582912.0f; // 1.5·2^23: adding and subtracting it rounds to the nearest integer
    v16 n = (x * 1.44269504088896341f + shifter) - shifter;
    v16 r = x - n * 0.693359375f + n * 2.12194440e-4f;
    v16 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    i16 scale = (__builtin_convertvector(n, i16) + 127) << 23;
    return p * (v16)scale;
}

#endif
