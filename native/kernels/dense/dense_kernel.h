// Kernels of the dense (matrix-product) engine, one set per instruction set.
//
// Packed operands. A product's right operand B (K x N) is packed once into panels of NR columns,
// NR = the kernel set's panelWidth (its C tile width: 16 for scalar and AVX2, 32 for AVX-512):
// panel p holds rows 0..K-1 of columns [p*NR, p*NR + NR), row k at panel + k * NR, columns past N
// zero. A row-major left operand is read in place (gemmMicroRows); a transposed one is packed by
// blocks (rows x kc) into panels of kGemmMr rows: step kk at panel + kk * MR, rows past the end
// zero.
//
// Summation contract (what makes results independent of threads and of the dense/active-row
// choice): every C element is accumulated in K-blocks of a length that depends on K only; within
// a block, acc starts at 0 and adds a_k * b_k for k in increasing order, one rounding per step
// (FMA or, with a_k in {0, 1}, an exact product then an add); then C = C + alpha * acc. With 0/1
// inputs the active-row kernel adds exactly the same b_k in the same order, so both paths give
// bit-identical sums. Neither the tile shape nor the panel width enters the contract, so every
// kernel set that contracts the products into FMAs (AVX2, AVX-512) gives the same bits.
//
// Sampling contract (sampleRows, per row): for column j, x = -beta * pre[j], e = expPoly(x) (clamped to
// [-80, 80]), u = uniformOpen(word j / 8 of lane j % 8), sample = [u * e < 1 - u], probability
// = 1 / (1 + e). Every row draws ceil(n / 8) words from each of its 8 lanes. The vector kernels
// contract the same steps of exp into FMAs, so AVX2 and AVX-512 agree bit for bit.
#pragma once
#include <cstdint>

#include "../simd/rng_lanes.h"

namespace heatbath::kernels {

constexpr int kGemmMr = 6;
constexpr int kPanelWidthAvx2 = 16;    // also the scalar kernels'
constexpr int kPanelWidthAvx512 = 32;  // two zmm per row: 12 accumulators, 8 loads per 12 FMAs

// Break-even densities measured on Zen 5 (132 rows x 784 inputs -> 500 outputs, one thread). Each
// active input adds a packed weight row loaded from L2, so the active-row path runs at about the
// same speed with either instruction set, while the dense path doubles with AVX-512: AVX2 breaks
// even near 45 % active inputs (time ratio 0.93 at 40 %), AVX-512 near 30 % (0.86 at 25 %, 1.27 at
// 35 %).
constexpr double kActiveDensityLimitAvx2 = 0.4;  // also the scalar kernels'
constexpr double kActiveDensityLimitAvx512 = 0.25;

// C tile (rows x cols <= MR x NR, row stride ldc) = (first ? beta * C : C) + alpha * (A panel . B
// panel) over kc steps; with first && beta == 0, C's old values are ignored (even NaN).
using GemmMicroFn = void (*)(int64_t kc, const float* aPanel, const float* bPanel, float* c, int64_t ldc, int rows,
                             int cols, float alpha, float beta, bool first);

// The same with A read in place from row-major storage: element (i, kk) at a[i * lda + kk]. Rows
// past `rows` are never read.
using GemmMicroRowsFn = void (*)(int64_t kc, const float* a, int64_t lda, const float* bPanel, float* c, int64_t ldc,
                                 int rows, int cols, float alpha, float beta, bool first);

// out[p * NR + q] += sum over the listed rows k (in order, acc from 0) of panel p row k column q,
// for numPanels consecutive panels starting at firstPanel, panels panelStride floats apart.
using AddActiveRowsFn = void (*)(const float* firstPanel, int64_t panelStride, int numPanels, const int32_t* rows,
                                 int64_t count, float* out);

// Bernoulli samples and probabilities of n units in each of `rows` rows from pre-activations (see
// the contract above): row r reads pre + r * ldPre, draws from rng[r] and writes prob + r * n and
// sample + r * n. prob and sample may be null; pre rows must be readable up to a multiple of 16
// floats (every panel width is one).
using SampleRowsFn = void (*)(const float* pre, int64_t ldPre, int64_t rows, int64_t n, float beta, RngLanes* rng,
                              float* prob, float* sample);

// Number of entries equal to 1 among values[0..count), or -1 if some entry is neither 0 nor 1
// (the test that decides whether the active-row path applies).
using CountOnesFn = int64_t (*)(const float* values, int64_t count);

// Writes first + i for every i in [0, count) with values[i] == 1, in increasing order, to out and
// returns how many there are. out must have room for that many plus kListOnesSlack entries (the
// kernels store whole vectors or one entry past the end).
using ListOnesFn = int64_t (*)(const float* values, int64_t count, int32_t first, int32_t* out);
constexpr int64_t kListOnesSlack = 16;

// y[j] = sum_i a[i * lda + j] x[i] for j < cols (y = A^T x; cols and lda multiples of 16, a 64-byte
// aligned): each y[j] is one FMA chain over i = 0, 1, ..., rows - 1, starting from 0, so every
// kernel set gives the same bits. The vector kernels keep a strip of y in registers and stream the
// rows of A once per strip.
using GemvTransposedFn = void (*)(const float* a, int64_t rows, int64_t cols, int64_t lda, const float* x, float* y);

struct DenseKernels {
  int panelWidth;  // NR of the packed B panels the kernels read
  // Largest fraction of active (1) inputs for which the automatic choice takes the active-row
  // path: below the measured break-even with the dense path, with a margin so that noise never
  // picks the slower one.
  double activeDensityLimit;
  GemmMicroFn micro;
  GemmMicroRowsFn microRows;
  AddActiveRowsFn addActiveRows;
  SampleRowsFn sampleRows;
  CountOnesFn countOnes;
  ListOnesFn listOnes;
  GemvTransposedFn gemvTransposed;
};

void gemmMicroScalar(int64_t kc, const float* aPanel, const float* bPanel, float* c, int64_t ldc, int rows, int cols,
                     float alpha, float beta, bool first);
void gemmMicroRowsScalar(int64_t kc, const float* a, int64_t lda, const float* bPanel, float* c, int64_t ldc, int rows,
                         int cols, float alpha, float beta, bool first);
void addActiveRowsScalar(const float* firstPanel, int64_t panelStride, int numPanels, const int32_t* rows,
                         int64_t count, float* out);
void sampleRowsScalar(const float* pre, int64_t ldPre, int64_t rows, int64_t n, float beta, RngLanes* rng, float* prob,
                      float* sample);
int64_t countOnesScalar(const float* values, int64_t count);
void gemvTransposedScalar(const float* a, int64_t rows, int64_t cols, int64_t lda, const float* x, float* y);
int64_t listOnesScalar(const float* values, int64_t count, int32_t first, int32_t* out);

void gemmMicroAvx2(int64_t kc, const float* aPanel, const float* bPanel, float* c, int64_t ldc, int rows, int cols,
                   float alpha, float beta, bool first);
void gemmMicroRowsAvx2(int64_t kc, const float* a, int64_t lda, const float* bPanel, float* c, int64_t ldc, int rows,
                       int cols, float alpha, float beta, bool first);
void addActiveRowsAvx2(const float* firstPanel, int64_t panelStride, int numPanels, const int32_t* rows, int64_t count,
                       float* out);
void sampleRowsAvx2(const float* pre, int64_t ldPre, int64_t rows, int64_t n, float beta, RngLanes* rng, float* prob,
                    float* sample);
int64_t countOnesAvx2(const float* values, int64_t count);
void gemvTransposedAvx2(const float* a, int64_t rows, int64_t cols, int64_t lda, const float* x, float* y);

void gemmMicroAvx512(int64_t kc, const float* aPanel, const float* bPanel, float* c, int64_t ldc, int rows, int cols,
                     float alpha, float beta, bool first);
void gemmMicroRowsAvx512(int64_t kc, const float* a, int64_t lda, const float* bPanel, float* c, int64_t ldc, int rows,
                         int cols, float alpha, float beta, bool first);
void addActiveRowsAvx512(const float* firstPanel, int64_t panelStride, int numPanels, const int32_t* rows,
                         int64_t count, float* out);
void sampleRowsAvx512(const float* pre, int64_t ldPre, int64_t rows, int64_t n, float beta, RngLanes* rng, float* prob,
                      float* sample);
int64_t countOnesAvx512(const float* values, int64_t count);
void gemvTransposedAvx512(const float* a, int64_t rows, int64_t cols, int64_t lda, const float* x, float* y);
int64_t listOnesAvx512(const float* values, int64_t count, int32_t first, int32_t* out);

}  // namespace heatbath::kernels
