// Portable reference kernels of the dense engine: the arithmetic of dense_kernel.h, written as
// plain loops (the vector kernels differ only by FMA contraction).
#include <algorithm>
#include <cmath>

#include "dense_kernel.h"
#include "../simd/exp_poly.h"

namespace heatbath::kernels {

namespace {

constexpr int kNr = kPanelWidthAvx2;

// acc over kc steps with A element (i, k) at a[i * rowStride + k * stepStride].
template <typename Write>
void microTile(int64_t kc, const float* a, int64_t rowStride, int64_t stepStride, const float* b, int rows,
               Write&& write) {
  float acc[kGemmMr][kNr] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const float* bk = b + k * kNr;
    for (int i = 0; i < rows; ++i) {
      const float ai = a[i * rowStride + k * stepStride];
      for (int j = 0; j < kNr; ++j)
        acc[i][j] += ai * bk[j];
    }
  }
  write(acc);
}

void writeTile(const float (&acc)[kGemmMr][kNr], float* c, int64_t ldc, int rows, int cols, float alpha, float beta,
               bool first) {
  for (int i = 0; i < rows; ++i) {
    float* ci = c + i * ldc;
    for (int j = 0; j < cols; ++j) {
      const float old = !first ? ci[j] : beta == 0.0f ? 0.0f : beta * ci[j];
      ci[j] = old + alpha * acc[i][j];
    }
  }
}

void sampleRow(const float* pre, int64_t n, float beta, RngLanes& rng, float* prob, float* sample) {
  const int64_t padded = (n + kLanes - 1) / kLanes * kLanes;
  for (int64_t j = 0; j < padded; ++j) {
    const float u = uniformOpen(nextWord(rng, static_cast<int>(j % kLanes)));
    if (j >= n)
      continue;  // the word is drawn anyway: every row uses ceil(n / 8) words per lane
    const float e = expPoly(-beta * pre[j]);
    if (sample != nullptr)
      sample[j] = u * e < 1.0f - u ? 1.0f : 0.0f;
    if (prob != nullptr)
      prob[j] = 1.0f / (1.0f + e);
  }
}

}  // namespace

void gemmMicroScalar(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int rows, int cols, float alpha,
                     float beta, bool first) {
  microTile(kc, a, 1, kGemmMr, b, rows,
            [&](const float(&acc)[kGemmMr][kNr]) { writeTile(acc, c, ldc, rows, cols, alpha, beta, first); });
}

void gemmMicroRowsScalar(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc, int rows,
                         int cols, float alpha, float beta, bool first) {
  microTile(kc, a, lda, 1, b, rows,
            [&](const float(&acc)[kGemmMr][kNr]) { writeTile(acc, c, ldc, rows, cols, alpha, beta, first); });
}

void addActiveRowsScalar(const float* firstPanel, int64_t panelStride, int numPanels, const int32_t* rows,
                         int64_t count, float* out) {
  for (int p = 0; p < numPanels; ++p) {
    const float* panel = firstPanel + p * panelStride;
    float acc[kNr] = {};
    for (int64_t r = 0; r < count; ++r) {
      const float* row = panel + int64_t{rows[r]} * kNr;
      for (int q = 0; q < kNr; ++q)
        acc[q] += row[q];
    }
    for (int q = 0; q < kNr; ++q)
      out[p * kNr + q] += acc[q];
  }
}

void sampleRowsScalar(const float* pre, int64_t ldPre, int64_t rows, int64_t n, float beta, RngLanes* rng, float* prob,
                      float* sample) {
  for (int64_t r = 0; r < rows; ++r) {
    sampleRow(pre + r * ldPre, n, beta, rng[r], prob == nullptr ? nullptr : prob + r * n,
              sample == nullptr ? nullptr : sample + r * n);
  }
}

int64_t countOnesScalar(const float* values, int64_t count) {
  // Branch-free: states are random bits, so a branch per entry would be mispredicted half the time.
  int64_t ones = 0, others = 0;
  for (int64_t i = 0; i < count; ++i) {
    ones += values[i] == 1.0f;
    others += (values[i] != 0.0f) & (values[i] != 1.0f);
  }
  return others == 0 ? ones : -1;
}

int64_t listOnesScalar(const float* values, int64_t count, int32_t first, int32_t* out) {
  // Branch-free: every index is stored, and the next slot is taken only after a 1.
  int64_t filled = 0;
  for (int64_t i = 0; i < count; ++i) {
    out[filled] = first + static_cast<int32_t>(i);
    filled += values[i] == 1.0f;
  }
  return filled;
}

void gemvTransposedScalar(const float* a, int64_t rows, int64_t cols, int64_t lda, const float* x, float* y) {
  std::fill(y, y + cols, 0.0f);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j)
      y[j] = std::fma(a[i * lda + j], x[i], y[j]);
  }
}

}  // namespace heatbath::kernels
