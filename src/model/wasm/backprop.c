/*
 * One epoch of the general back-propagation in WebAssembly SIMD (f32x4): any depth, ReLU on every
 * layer but the last, optional biases, mini-batches, SGD / momentum / adam. The same math and
 * update order as ../backprop.ts (BackpropKernel, the readable TypeScript reference the tests
 * compare this with), in float32:
 *  - layer 0 is kept by rows (its input, the frame, is dense); every later layer by columns (Wt,
 *    input i's weights contiguous), so an input unit that ReLU switched off costs nothing in
 *    either pass: only the units that are on (listed after each forward) are walked;
 *  - per-sample SGD is fused: each weight is read for the backward sum just before its update,
 *    so every gradient comes from the weights before the step; anything else sums the batch's
 *    gradients, then one optimiser step over the whole parameter block;
 *  - every vector and row is padded to a multiple of 4 floats with zeros, which stay zero
 *    (their gradients are zero), so every loop runs whole f32x4 vectors for any layer size.
 * Everything is float32 except the epoch's loss total and the optimiser's constants (f64).
 * ../wasm-backprop.ts lays out the memory and fills the two tables below; nothing is allocated here.
 */
#include <wasm_simd128.h>

typedef v128_t f32x4;
#define ZERO wasm_f32x4_splat(0)
#define SPLAT wasm_f32x4_splat
#define LOAD(p) wasm_v128_load(p)
#define STORE(p, v) wasm_v128_store(p, v)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

/* One layer. Every field is 4 bytes: the TypeScript side writes this table as an Int32Array. */
typedef struct {
  int in, out;    /* sizes padded to a multiple of 4 */
  float *W;       /* layer 0: out rows of in; later layers: in columns of out */
  float *b;       /* out biases, or 0 */
  float *gW, *gb; /* gradient sums over a batch, same layouts (inside Optimizer.grad) */
  float *y;       /* out: this frame's output, after the ReLU */
  float *g;       /* out: dL/dy, then delta = dL/dpre */
  int *on;        /* the units of y that are on (y > 0), ReLU layers only ... */
  int non;        /* ... and how many */
} Layer;

enum { SGD = 0, MOMENTUM = 1, ADAM = 2 };

/*
 * The optimiser and its state. The constants are f64: beta2 = 0.999 is 1.3e-8 off in float32 and
 * 1 - beta2^t, small in the first steps, would turn that into a 1e-5 error in adam's step.
 * Written by the TypeScript side as 6 f64 then 6 int32 (72 bytes, 8-aligned).
 */
typedef struct {
  double mu, beta1, beta2, eps;
  double beta1_t, beta2_t; /* beta^t after t steps (start at 1): carried across epochs */
  int kind, size;          /* size: floats in the parameter block, a multiple of 4 */
  float *theta, *grad;     /* every layer's W then b, one after the other; gradient sums alike */
  float *m, *v;            /* momentum's velocity in m; adam's two moments */
} Optimizer;

static inline float hsum(f32x4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* max(s, 0) that also sends NaN to 0, like the TypeScript `s > 0 ? s : 0`. */
static inline f32x4 relu(f32x4 s) { return wasm_v128_and(s, wasm_f32x4_gt(s, ZERO)); }

static inline void zero(float *p, int n) {
  for (int i = 0; i < n; i += 4) STORE(p + i, ZERO);
}

/* Lists the units of a ReLU layer's output that are on; the layers above and below walk only those. */
static inline void list_on(Layer *L) {
  int k = 0;
  for (int i = 0; i < L->out; i++)
    if (L->y[i] > 0) L->on[k++] = i;
  L->non = k;
}

/*
 * Layer 0, by rows: y = act(b + W.x). Four rows at a time share each load of x and give four
 * independent add chains (one chain would wait on each add's latency).
 */
static void rows_forward(Layer *L, const float *x, int act) {
  const int n = L->in;
  for (int o = 0; o < L->out; o += 4) {
    const float *w0 = L->W + o * n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
    f32x4 s0 = ZERO, s1 = ZERO, s2 = ZERO, s3 = ZERO;
    for (int k = 0; k < n; k += 4) {
      f32x4 xk = LOAD(x + k);
      s0 = ADD(s0, MUL(LOAD(w0 + k), xk));
      s1 = ADD(s1, MUL(LOAD(w1 + k), xk));
      s2 = ADD(s2, MUL(LOAD(w2 + k), xk));
      s3 = ADD(s3, MUL(LOAD(w3 + k), xk));
    }
    f32x4 pre = wasm_f32x4_make(hsum(s0), hsum(s1), hsum(s2), hsum(s3));
    if (L->b) pre = ADD(LOAD(L->b + o), pre);
    STORE(L->y + o, act ? relu(pre) : pre);
  }
}

/*
 * A later layer, by columns: y = act(b + sum of x[i].Wt[i] over the inputs i that are on).
 * Sixteen outputs at a time stay in registers across the inputs (four independent chains),
 * then four at a time for the rest; each output adds its terms in input order, like the reference.
 */
static void cols_forward(Layer *L, const float *x, const int *on, int non, int act) {
  const int m = L->out;
  int o = 0;
  for (; o + 16 <= m; o += 16) {
    f32x4 y0 = ZERO, y1 = ZERO, y2 = ZERO, y3 = ZERO;
    if (L->b) y0 = LOAD(L->b + o), y1 = LOAD(L->b + o + 4), y2 = LOAD(L->b + o + 8), y3 = LOAD(L->b + o + 12);
    for (int q = 0; q < non; q++) {
      const float *w = L->W + on[q] * m + o;
      f32x4 xq = wasm_v128_load32_splat(x + on[q]);
      y0 = ADD(y0, MUL(xq, LOAD(w)));
      y1 = ADD(y1, MUL(xq, LOAD(w + 4)));
      y2 = ADD(y2, MUL(xq, LOAD(w + 8)));
      y3 = ADD(y3, MUL(xq, LOAD(w + 12)));
    }
    if (act) y0 = relu(y0), y1 = relu(y1), y2 = relu(y2), y3 = relu(y3);
    STORE(L->y + o, y0);
    STORE(L->y + o + 4, y1);
    STORE(L->y + o + 8, y2);
    STORE(L->y + o + 12, y3);
  }
  for (; o < m; o += 4) {
    f32x4 y = L->b ? LOAD(L->b + o) : ZERO;
    for (int q = 0; q < non; q++) y = ADD(y, MUL(wasm_v128_load32_splat(x + on[q]), LOAD(L->W + on[q] * m + o)));
    STORE(L->y + o, act ? relu(y) : y);
  }
}

/* L = sum (y - x)^2 over the frame; leaves dL/dy = 2(y - x) in g. */
static float loss_grad(const float *y, const float *x, float *g, int n) {
  f32x4 l0 = ZERO, l1 = ZERO;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    f32x4 e0 = SUB(LOAD(y + i), LOAD(x + i)), e1 = SUB(LOAD(y + i + 4), LOAD(x + i + 4));
    STORE(g + i, ADD(e0, e0));
    STORE(g + i + 4, ADD(e1, e1));
    l0 = ADD(l0, MUL(e0, e0));
    l1 = ADD(l1, MUL(e1, e1));
  }
  if (i < n) {
    f32x4 e = SUB(LOAD(y + i), LOAD(x + i));
    STORE(g + i, ADD(e, e));
    l0 = ADD(l0, MUL(e, e));
  }
  return hsum(ADD(l0, l1));
}

/* Forward pass of the whole network on frame x; returns its L and leaves dL/dY in the last g. */
static float forward(Layer *net, int nl, const float *x) {
  rows_forward(&net[0], x, nl > 1);
  for (int l = 1; l < nl; l++) {
    list_on(&net[l - 1]);
    cols_forward(&net[l], net[l - 1].y, net[l - 1].on, net[l - 1].non, l + 1 < nl);
  }
  return loss_grad(net[nl - 1].y, x, net[nl - 1].g, net[nl - 1].out);
}

/*
 * Backward of one input that is on, for a layer by columns (w: its column, m outputs, d: delta):
 * returns dL/dx = sum w[o].d[o] (two partial sums), each w read before it changes; and either
 * takes the fused SGD step w -= (lr.x).d or adds to the batch's sums gw += x.d.
 */
static inline float column_back(float *w, float *gw, const float *d, float xi, float lr, int fused, int m) {
  f32x4 s0 = ZERO, s1 = ZERO;
  int o = 0;
  if (fused) {
    f32x4 c = SPLAT(lr * xi);
    for (; o + 8 <= m; o += 8) {
      f32x4 w0 = LOAD(w + o), d0 = LOAD(d + o), w1 = LOAD(w + o + 4), d1 = LOAD(d + o + 4);
      s0 = ADD(s0, MUL(w0, d0));
      s1 = ADD(s1, MUL(w1, d1));
      STORE(w + o, SUB(w0, MUL(c, d0)));
      STORE(w + o + 4, SUB(w1, MUL(c, d1)));
    }
    if (o < m) {
      f32x4 w0 = LOAD(w + o), d0 = LOAD(d + o);
      s0 = ADD(s0, MUL(w0, d0));
      STORE(w + o, SUB(w0, MUL(c, d0)));
    }
  } else {
    f32x4 c = SPLAT(xi);
    for (; o + 8 <= m; o += 8) {
      f32x4 d0 = LOAD(d + o), d1 = LOAD(d + o + 4);
      s0 = ADD(s0, MUL(LOAD(w + o), d0));
      s1 = ADD(s1, MUL(LOAD(w + o + 4), d1));
      STORE(gw + o, ADD(LOAD(gw + o), MUL(c, d0)));
      STORE(gw + o + 4, ADD(LOAD(gw + o + 4), MUL(c, d1)));
    }
    if (o < m) {
      f32x4 d0 = LOAD(d + o);
      s0 = ADD(s0, MUL(LOAD(w + o), d0));
      STORE(gw + o, ADD(LOAD(gw + o), MUL(c, d0)));
    }
  }
  return hsum(ADD(s0, s1));
}

/* b -= lr.delta (fused SGD) or gb += delta. */
static inline void bias_back(Layer *L, float lr, int fused) {
  if (!L->b) return;
  for (int o = 0; o < L->out; o += 4) {
    f32x4 d = LOAD(L->g + o);
    if (fused) STORE(L->b + o, SUB(LOAD(L->b + o), MUL(SPLAT(lr), d)));
    else STORE(L->gb + o, ADD(LOAD(L->gb + o), d));
  }
}

/*
 * Back-propagation of one frame, last layer first: each layer by columns turns its delta (g) into
 * its gradients and the g of the layer below, written only where that layer's ReLU is on (delta
 * below = Wt.delta masked by relu'); layer 0 by rows: each row whose delta is not 0 gets delta.x.
 */
static void backward(Layer *net, int nl, const float *x, float lr, int fused) {
  for (int l = nl - 1; l > 0; l--) {
    Layer *L = &net[l], *below = &net[l - 1];
    bias_back(L, lr, fused);
    zero(below->g, below->out);
    for (int q = 0; q < below->non; q++) {
      int i = below->on[q];
      below->g[i] = column_back(L->W + i * L->out, L->gW + i * L->out, L->g, below->y[i], lr, fused, L->out);
    }
  }
  Layer *L = &net[0];
  const int n = L->in;
  bias_back(L, lr, fused);
  for (int o = 0; o < L->out; o++) {
    float d = L->g[o];
    if (d == 0) continue;
    float *w = (fused ? L->W : L->gW) + o * n;
    f32x4 c = SPLAT(fused ? -lr * d : d); /* the SGD step adds -lr.delta.x; a sum adds delta.x */
    for (int k = 0; k < n; k += 4) STORE(w + k, ADD(LOAD(w + k), MUL(c, LOAD(x + k))));
  }
}

/*
 * Zero for |v| below the smallest normal float. Once a weight's gradient is 0 (a unit that stays
 * off), its momentum or adam moments decay by a constant factor each step into subnormal numbers,
 * and stay there (0.9 x the smallest one rounds back to it): WebAssembly cannot flush them, and
 * on x86 every step over them is then ~100x slower. Zero moves the weight by the same nothing.
 */
static inline f32x4 flush(f32x4 v) {
  /* As integers, |v| < 2^-126 is "exponent bits all 0": |v|'s bits <= 0x007fffff. */
  const f32x4 bits = wasm_v128_and(v, wasm_i32x4_splat(0x7fffffff));
  return wasm_v128_and(v, wasm_i32x4_gt(bits, wasm_i32x4_splat(0x007fffff)));
}

/* One optimiser step from the gradients summed over B frames (mean gradient g = G / B). */
static void step(Optimizer *opt, double lr, int B) {
  /* Locals, not opt->m in the loops: a store through a float pointer could change opt (as far as
     the compiler knows), so it would read the pointers again every iteration. */
  float *th = opt->theta, *G = opt->grad, *M = opt->m, *V = opt->v;
  const int n = opt->size;
  const f32x4 s = SPLAT((float)(1.0 / B));
  if (opt->kind == SGD) { /* theta -= lr.g */
    const f32x4 c = SPLAT((float)(lr * (1.0 / B)));
    for (int i = 0; i < n; i += 4) STORE(th + i, SUB(LOAD(th + i), MUL(c, LOAD(G + i))));
  } else if (opt->kind == MOMENTUM) { /* v = mu.v + g; theta -= lr.v */
    const f32x4 mu = SPLAT((float)opt->mu), c = SPLAT((float)lr);
    for (int i = 0; i < n; i += 4) {
      f32x4 v = flush(ADD(MUL(mu, LOAD(M + i)), MUL(s, LOAD(G + i))));
      STORE(M + i, v);
      STORE(th + i, SUB(LOAD(th + i), MUL(c, v)));
    }
  } else { /* m = b1.m + (1-b1).g; v = b2.v + (1-b2).g^2; theta -= lr.m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) */
    opt->beta1_t *= opt->beta1;
    opt->beta2_t *= opt->beta2;
    const f32x4 b1 = SPLAT((float)opt->beta1), nb1 = SPLAT((float)(1 - opt->beta1));
    const f32x4 b2 = SPLAT((float)opt->beta2), nb2 = SPLAT((float)(1 - opt->beta2));
    const f32x4 a = SPLAT((float)(lr / (1 - opt->beta1_t))), c2 = SPLAT((float)(1 / (1 - opt->beta2_t)));
    const f32x4 eps = SPLAT((float)opt->eps);
    for (int i = 0; i < n; i += 4) {
      f32x4 g = MUL(s, LOAD(G + i));
      f32x4 m = flush(ADD(MUL(b1, LOAD(M + i)), MUL(nb1, g)));
      f32x4 v = flush(ADD(MUL(b2, LOAD(V + i)), MUL(MUL(nb2, g), g)));
      STORE(M + i, m);
      STORE(V + i, v);
      f32x4 den = ADD(wasm_f32x4_sqrt(MUL(v, c2)), eps);
      STORE(th + i, SUB(LOAD(th + i), wasm_f32x4_div(MUL(a, m), den)));
    }
  }
}

/*
 * Frame x as float32: table[s + 32768] for each 16-bit sample s, into buf. The table is written
 * once by ../wasm-load.ts (writeFrames) as float32(s / scale), the very values a float32 copy of the frames
 * would hold, so training is bit for bit the same at 2 bytes a sample instead of 4. Only long
 * recordings are kept 16-bit: widening costs a small network's step a few percent to ~16 %.
 */
static inline const float *widen(const short *x, const float *table, float *buf, int n) {
  for (int k = 0; k < n; k++) buf[k] = table[x[k] + 32768];
  return buf;
}

/*
 * Trains on frames[order[t]] (order 0: frame t) for t < count, B frames per step (the last batch
 * may be smaller: its own mean), and returns the sum of the losses, each measured with the
 * weights before its batch's step. Frames are net[0].in values apart: 16-bit samples read through
 * table into buf (net[0].in floats; long recordings), or float32 values when table is 0.
 */
__attribute__((export_name("epoch")))
double epoch(Layer *net, int nl, const void *frames, const float *table, float *buf,
             const unsigned *order, int count, int B, double lr, Optimizer *opt) {
  const int fused = B == 1 && opt->kind == SGD;
  const unsigned n = (unsigned)net[0].in;
  double total = 0;
  for (int start = 0; start < count; start += B) {
    const int end = start + B < count ? start + B : count;
    if (!fused) zero(opt->grad, opt->size);
    for (int t = start; t < end; t++) {
      const unsigned at = (order ? order[t] : (unsigned)t) * n;
      const float *x = table ? widen((const short *)frames + at, table, buf, n) : (const float *)frames + at;
      total += forward(net, nl, x);
      backward(net, nl, x, (float)lr, fused);
    }
    if (!fused) step(opt, lr, end - start);
  }
  return total;
}
