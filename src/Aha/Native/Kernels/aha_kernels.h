// The row kernels the decode layer (aha_decode.c) composes, defined in aha_kernels.c and aha_fused.c; each is one
// function with AVX-512, AVX2+FMA and SSE2 clones (aha_vector.h), resolved once when the library loads.
#ifndef AHA_KERNELS_H
#define AHA_KERNELS_H

#define AHA_INTERNAL __attribute__((visibility("hidden"))) // shared between the sources, not exported

// y[r, n] (= or +=) Σ_j x[r, j]·w[n, j] (+ bias[n]) for r < m and n in [n0, n1); w float32, or bfloat16 when bf16 ≠ 0.
AHA_INTERNAL void linear_rows(const float* x, long ldx, long m, const void* w, int bf16, long k, const float* bias,
                 float* y, long ldy, long n0, long n1, int accumulate);

// n = x / √(mean(x²) + ε) over rows [r0, r1) of x [rows, dim]; rstd (or null) gets each row's 1 / √(mean(x²) + ε).
AHA_INTERNAL void rms_norm_rows(const float* x, float* n, float* rstd, long r0, long r1, long dim, float eps);

// y = silu(g)·u over [i0, i1).
AHA_INTERNAL void swiglu_range(const float* g, const float* u, float* y, long i0, long i1);

#endif
