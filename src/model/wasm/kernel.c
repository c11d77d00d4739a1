/*
 * One epoch of the course's per-sample SGD in WebAssembly SIMD (f32x4), the same math and update
 * order as ../sgd-kernel.ts (the readable TypeScript reference the tests compare this with):
 *  - V is kept transposed (Vt, h rows of n) so every inner loop walks memory contiguously;
 *  - hidden units with Z = 0 are skipped: their V column and W row get zero gradient;
 *  - each V value is read for the backward sum just before it is updated, so both gradients
 *    come from the weights before the step.
 * Everything is float32 except the epoch's loss total (f64, one add per frame).
 * n (frame size) must be a multiple of 4; any hidden size h works.
 * ../wasm-kernel.ts lays out the memory; this file allocates nothing and has no data.
 * Written in C with intrinsics rather than WAT: the loops stay readable next to the TypeScript,
 * and clang does the register allocation and address arithmetic that WAT would spell out.
 */
#include <wasm_simd128.h>

typedef v128_t f32x4;
#define ZERO wasm_f32x4_splat(0)
#define LOAD(p) wasm_v128_load(p)
#define STORE(p, v) wasm_v128_store(p, v)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

static inline float hsum(f32x4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* Remembers an active unit: its Z, and where its rows of W and Vt start. */
static inline int keep(float s, int j, int n, float *z, int *rows, int na) {
  if (s > 0) {
    z[na] = s;
    rows[na++] = j * n;
  }
  return na;
}

/*
 * Z = relu(W.X) for the active units, compacted: z[q] and rows[q] for q < the count returned.
 * Four rows at a time share each load of X and give four independent add chains (an f32 add
 * takes several cycles; one chain would stall); the last h % 4 rows go one by one.
 */
static inline int forward(const float *W, const float *x, int n, int h, float *z, int *rows) {
  int na = 0, j = 0;
  for (; j + 4 <= h; j += 4) {
    const float *w0 = W + j * n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
    f32x4 s0 = ZERO, s1 = ZERO, s2 = ZERO, s3 = ZERO;
    for (int k = 0; k < n; k += 4) {
      f32x4 xk = LOAD(x + k);
      s0 = ADD(s0, MUL(LOAD(w0 + k), xk));
      s1 = ADD(s1, MUL(LOAD(w1 + k), xk));
      s2 = ADD(s2, MUL(LOAD(w2 + k), xk));
      s3 = ADD(s3, MUL(LOAD(w3 + k), xk));
    }
    na = keep(hsum(s0), j, n, z, rows, na);
    na = keep(hsum(s1), j + 1, n, z, rows, na);
    na = keep(hsum(s2), j + 2, n, z, rows, na);
    na = keep(hsum(s3), j + 3, n, z, rows, na);
  }
  for (; j < h; j++) {
    const float *w = W + j * n;
    f32x4 s0 = ZERO, s1 = ZERO;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
      s0 = ADD(s0, MUL(LOAD(w + k), LOAD(x + k)));
      s1 = ADD(s1, MUL(LOAD(w + k + 4), LOAD(x + k + 4)));
    }
    if (k < n) s0 = ADD(s0, MUL(LOAD(w + k), LOAD(x + k)));
    na = keep(hsum(ADD(s0, s1)), j, n, z, rows, na);
  }
  return na;
}

/*
 * err = V.Z - X over the active units; returns L = sum err^2. Eight outputs at a time stay in
 * registers across the sum over units (then one group of four if n % 8 == 4).
 */
static inline float error(const float *Vt, const int *rows, const float *z, int na,
                          const float *x, float *err, int n) {
  f32x4 loss = ZERO;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    f32x4 y0 = ZERO, y1 = ZERO;
    for (int q = 0; q < na; q++) {
      const float *v = Vt + rows[q] + i;
      f32x4 zq = wasm_v128_load32_splat(z + q);
      y0 = ADD(y0, MUL(LOAD(v), zq));
      y1 = ADD(y1, MUL(LOAD(v + 4), zq));
    }
    f32x4 e0 = SUB(y0, LOAD(x + i)), e1 = SUB(y1, LOAD(x + i + 4));
    STORE(err + i, e0);
    STORE(err + i + 4, e1);
    loss = ADD(loss, ADD(MUL(e0, e0), MUL(e1, e1)));
  }
  if (i < n) {
    f32x4 y = ZERO;
    for (int q = 0; q < na; q++) y = ADD(y, MUL(LOAD(Vt + rows[q] + i), wasm_v128_load32_splat(z + q)));
    f32x4 e = SUB(y, LOAD(x + i));
    STORE(err + i, e);
    loss = ADD(loss, MUL(e, e));
  }
  return hsum(loss);
}

/*
 * For one active unit: back = sum_i V[i][j].err_i, reading each V value just before
 * V[i][j] -= 2lr.err_i.Z[j] overwrites it; returns back.
 */
static inline float update_v(float *v, const float *err, float c_, int n) {
  f32x4 c = wasm_f32x4_splat(c_), b0 = ZERO, b1 = ZERO;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    f32x4 v0 = LOAD(v + i), e0 = LOAD(err + i);
    f32x4 v1 = LOAD(v + i + 4), e1 = LOAD(err + i + 4);
    b0 = ADD(b0, MUL(v0, e0));
    b1 = ADD(b1, MUL(v1, e1));
    STORE(v + i, SUB(v0, MUL(c, e0)));
    STORE(v + i + 4, SUB(v1, MUL(c, e1)));
  }
  if (i < n) {
    f32x4 v0 = LOAD(v + i), e0 = LOAD(err + i);
    b0 = ADD(b0, MUL(v0, e0));
    STORE(v + i, SUB(v0, MUL(c, e0)));
  }
  return hsum(ADD(b0, b1));
}

/* W[j][k] -= 2lr.back.X[k] for one active unit j. */
static inline void update_w(float *w, const float *x, float c_, int n) {
  f32x4 c = wasm_f32x4_splat(c_);
  for (int k = 0; k < n; k += 4) STORE(w + k, SUB(LOAD(w + k), MUL(c, LOAD(x + k))));
}

/*
 * Frame x as float32: table[s + 32768] for each 16-bit sample s, into buf. The table is written
 * once by ../wasm-load.ts (writeFrames) as float32(s / scale), the very values a float32 copy of the frames
 * would hold, so training is bit for bit the same at 2 bytes a sample instead of 4. Widening costs
 * the course network ~16 % of its speed, which is why only long recordings are kept 16-bit; an
 * exact float64 SIMD divide per sample instead of the table measured about the same.
 */
static inline const float *widen(const short *x, const float *table, float *buf, int n) {
  for (int k = 0; k < n; k++) buf[k] = table[x[k] + 32768];
  return buf;
}

/*
 * Trains on frames[order[t]] (order 0: frame t) for t < count and returns the sum of the
 * losses, each measured just before its own update.
 * frames are 16-bit samples read through table (long recordings), or float32 values when table
 * is 0 (short ones, where widening would cost more speed than the memory it saves is worth).
 * scratch holds 2n + 2h floats: the error vector, the widened frame, then Z and row offsets of
 * the active units.
 */
__attribute__((export_name("epoch")))
double epoch(float *W, float *Vt, const void *frames, const float *table, const unsigned *order,
             int count, int n, int h, float lr, float *scratch) {
  float *err = scratch;
  float *buf = err + n;
  float *z = buf + n;
  int *rows = (int *)(z + h);
  const float lr2 = 2 * lr;
  double total = 0;
  for (int t = 0; t < count; t++) {
    const unsigned at = (unsigned)(order ? order[t] : t) * (unsigned)n;
    const float *x = table ? widen((const short *)frames + at, table, buf, n) : (const float *)frames + at;
    int na = forward(W, x, n, h, z, rows);
    total += error(Vt, rows, z, na, x, err, n);
    for (int q = 0; q < na; q++) {
      /* W's update needs only this unit's back, so it follows right after V's. */
      float back = update_v(Vt + rows[q], err, lr2 * z[q], n);
      update_w(W + rows[q], x, lr2 * back, n);
    }
  }
  return total;
}
