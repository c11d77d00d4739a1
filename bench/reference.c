/*
 * C reference for `npm run bench`: the course workload (per-sample SGD, 160 -> 10 -> 160,
 * lr 0.01, float32 weights) with the same fused loop and layout as src/model/sgd-kernel.ts, so the
 * ratio printed by the bench compares like with like.
 * Usage: reference <frames.f32> <frames> <epochs> <seed-weights.f32>
 * Prints: "<seconds> <final epoch loss>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N 160
#define H 10

static float *load(const char *path, size_t count) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  float *p = malloc(count * sizeof(float));
  if (fread(p, sizeof(float), count, f) != count) { fprintf(stderr, "%s: short read\n", path); exit(1); }
  fclose(f);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s frames.f32 frames epochs weights.f32\n", argv[0]); return 2; }
  int count = atoi(argv[2]), epochs = atoi(argv[3]);
  float *X = load(argv[1], (size_t)count * N);
  float *wv = load(argv[4], H * N * 2);
  float *W = wv, *V = wv + H * N;
  /* V transposed (hidden x 160), as the TypeScript kernel keeps it while training. */
  float VT[H * N];
  for (int i = 0; i < N; i++) for (int j = 0; j < H; j++) VT[j * N + i] = V[i * H + j];
  const float lr2 = 2 * 0.01f;
  float z[H], back[H], y[N], err[N];
  int active[H];
  double loss_epoch = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int ep = 0; ep < epochs; ep++) {
    double total = 0;
    for (int t = 0; t < count; t++) {
      const float *x = X + (size_t)t * N;
      int na = 0;
      for (int j = 0; j < H; j++) {
        float s = 0;
        for (int k = 0; k < N; k++) s += W[j * N + k] * x[k];
        if (s > 0) { z[j] = s; active[na++] = j; }
      }
      for (int i = 0; i < N; i++) y[i] = 0;
      for (int q = 0; q < na; q++) {
        const float *v = VT + active[q] * N;
        float zj = z[active[q]];
        for (int i = 0; i < N; i++) y[i] += v[i] * zj;
      }
      float loss = 0;
      for (int i = 0; i < N; i++) { err[i] = y[i] - x[i]; loss += err[i] * err[i]; }
      for (int q = 0; q < na; q++) {
        int j = active[q];
        float *v = VT + j * N;
        float c = lr2 * z[j], b = 0;
        for (int i = 0; i < N; i++) { b += v[i] * err[i]; v[i] -= c * err[i]; }
        back[j] = b;
      }
      for (int q = 0; q < na; q++) {
        int j = active[q];
        float c = lr2 * back[j];
        for (int k = 0; k < N; k++) W[j * N + k] -= c * x[k];
      }
      total += loss;
    }
    loss_epoch = total / count;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%.6f %.9g\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, loss_epoch);
  free(X); free(wv);
  return 0;
}
