/*
 * One epoch of the course's per-sample SGD in WebAssembly SIMD (f32x4): the same math and
 * loop order as ../sgd-kernel.ts (the readable TypeScript reference the tests compare with):
 *  - V is kept transposed (Vt, hidden x n) so every inner loop walks memory contiguously;
 *  - hidden units with Z = 0 are skipped: their V column and W row get zero gradient;
 *  - each V value is read for the backward sum just before it is updated, so both gradients
 *    come from the weights before the step.
 * Everything is float32 except the epoch's loss total (f64, one add per frame).
 * Frame size n must be a multiple of 4; there is no other limit on n or on the hidden size h.
 * Memory is laid out by ../wasm-kernel.ts; this file allocates nothing and has no data.
 */
#include <wasm_simd128.h>

typedef v128_t f32x4;

static inline float hsum(f32x4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* Four partial vector sums: an f32 add takes several cycles, so one chain would stall. */
static inline float dot(const float *a, const float *b, int n) {
  f32x4 s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  int k = 0;
  for (; k + 16 <= n; k += 16) {
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + k), wasm_v128_load(b + k)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + k + 4), wasm_v128_load(b + k + 4)));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(a + k + 8), wasm_v128_load(b + k + 8)));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(a + k + 12), wasm_v128_load(b + k + 12)));
  }
  for (; k < n; k += 4)
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + k), wasm_v128_load(b + k)));
  return hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
}

/*
 * Trains on frames[order[t]] (order 0: frame t) for t < count and returns the sum of the
 * losses, each measured just before its own update.
 * scratch holds n + 2h floats: the error vector, then Z and the active units' indices.
 */
__attribute__((export_name("epoch")))
double epoch(float *W, float *Vt, const float *frames, const unsigned *order, int count,
             int n, int h, float lr, float *scratch) {
  float *err = scratch;
  float *z = err + n;
  int *active = (int *)(z + h);
  const float lr2 = 2 * lr;
  double total = 0;
  for (int t = 0; t < count; t++) {
    const float *x = frames + (unsigned)(order ? order[t] : t) * (unsigned)n;

    /* Z = relu(W.X), remembering which units are active. */
    int na = 0;
    for (int j = 0; j < h; j++) {
      float s = dot(W + j * n, x, n);
      if (s > 0) {
        z[j] = s;
        active[na++] = j;
      }
    }

    /* e = V.Z - X over the active units, four outputs at a time kept in a register. */
    f32x4 loss4 = wasm_f32x4_splat(0);
    for (int i = 0; i < n; i += 4) {
      f32x4 y = wasm_f32x4_splat(0);
      for (int q = 0; q < na; q++) {
        int j = active[q];
        y = wasm_f32x4_add(y, wasm_f32x4_mul(wasm_v128_load(Vt + j * n + i), wasm_f32x4_splat(z[j])));
      }
      f32x4 e = wasm_f32x4_sub(y, wasm_v128_load(x + i));
      wasm_v128_store(err + i, e);
      loss4 = wasm_f32x4_add(loss4, wasm_f32x4_mul(e, e));
    }
    total += hsum(loss4);

    /*
     * For each active unit j: back = sum_i V[i][j].e_i with V before its update, while
     * V[i][j] -= lr.2e_i.Z[j]; then W[j][k] -= lr.2.back.X[k] (W's update needs only back).
     */
    for (int q = 0; q < na; q++) {
      int j = active[q];
      float *v = Vt + j * n;
      f32x4 c = wasm_f32x4_splat(lr2 * z[j]);
      f32x4 b0 = wasm_f32x4_splat(0), b1 = b0;
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        f32x4 v0 = wasm_v128_load(v + i), e0 = wasm_v128_load(err + i);
        f32x4 v1 = wasm_v128_load(v + i + 4), e1 = wasm_v128_load(err + i + 4);
        b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(v0, e0));
        b1 = wasm_f32x4_add(b1, wasm_f32x4_mul(v1, e1));
        wasm_v128_store(v + i, wasm_f32x4_sub(v0, wasm_f32x4_mul(c, e0)));
        wasm_v128_store(v + i + 4, wasm_f32x4_sub(v1, wasm_f32x4_mul(c, e1)));
      }
      for (; i < n; i += 4) {
        f32x4 v0 = wasm_v128_load(v + i), e0 = wasm_v128_load(err + i);
        b0 = wasm_f32x4_add(b0, wasm_f32x4_mul(v0, e0));
        wasm_v128_store(v + i, wasm_f32x4_sub(v0, wasm_f32x4_mul(c, e0)));
      }
      f32x4 cw = wasm_f32x4_splat(lr2 * hsum(wasm_f32x4_add(b0, b1)));
      float *w = W + j * n;
      for (int k = 0; k < n; k += 4)
        wasm_v128_store(w + k, wasm_f32x4_sub(wasm_v128_load(w + k), wasm_f32x4_mul(cw, wasm_v128_load(x + k))));
    }
  }
  return total;
}
