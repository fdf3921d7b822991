// What both kernel sources share: 16-float vectors in GCC's vector extensions, compiled for every x86-64 CPU as
// AVX-512, AVX2+FMA and SSE2 clones of each kernel chosen at load time (target_clones); elsewhere plain C.
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

// The sum of v's lanes as a tree of halves (one 8-wide and one 4-wide add), not sixteen dependent scalar adds.
static inline __attribute__((always_inline)) float hsum(v16 v)
{
    v8 s8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    v4 s4 = __builtin_shufflevector(s8, s8, 0, 1, 2, 3) + __builtin_shufflevector(s8, s8, 4, 5, 6, 7);
    return (s4[0] + s4[2]) + (s4[1] + s4[3]);
}

#endif
