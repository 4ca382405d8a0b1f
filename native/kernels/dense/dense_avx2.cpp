// AVX2+FMA kernels of the dense engine (contract in dense_kernel.h).
//
// gemmMicroAvx2 keeps a 6 x 16 tile of C in 12 registers: per k step two B loads, six
// broadcasts and 12 independent FMAs, enough to keep both FMA pipes busy through their latency.
// addActiveRowsAvx2 sums packed B rows of the active inputs for up to 4 panels at once, so 8
// independent add chains are in flight. sampleRowAvx2 interleaves the exp of 4 vectors.
#include <algorithm>
#include <array>
#include <utility>

#include "active_row_groups.h"
#include "dense_kernel.h"
#include "gemv_strips.h"
#include "../simd/simd_avx2.h"

namespace heatbath::kernels {

namespace {

constexpr int kNr = kPanelWidthAvx2;

// C = (first ? beta * C : C) + alpha * acc for one full tile at c (row stride ldc).
inline void writeTile(__m256 (&acc)[kGemmMr][2], float* c, int64_t ldc, float alpha, float beta, bool first) {
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  for (int i = 0; i < kGemmMr; ++i) {
    for (int h = 0; h < 2; ++h) {
      float* at = c + i * ldc + h * 8;
      __m256 old = _mm256_loadu_ps(at);
      if (first)
        old = beta == 0.0f ? _mm256_setzero_ps() : _mm256_mul_ps(vb, old);
      _mm256_storeu_ps(at, _mm256_fmadd_ps(va, acc[i][h], old));
    }
  }
}

template <int P>
void addActivePanels(const float* firstPanel, int64_t panelStride, const int32_t* rows, int64_t count, float* out) {
  __m256 acc[P][2];
  for (int p = 0; p < P; ++p)
    acc[p][0] = acc[p][1] = _mm256_setzero_ps();
  for (int64_t r = 0; r < count; ++r) {
    const float* row = firstPanel + int64_t{rows[r]} * kNr;
    for (int p = 0; p < P; ++p) {
      acc[p][0] = _mm256_add_ps(acc[p][0], _mm256_load_ps(row + p * panelStride));
      acc[p][1] = _mm256_add_ps(acc[p][1], _mm256_load_ps(row + p * panelStride + 8));
    }
  }
  for (int p = 0; p < P; ++p) {
    for (int h = 0; h < 2; ++h) {
      float* at = out + p * kNr + h * 8;
      _mm256_storeu_ps(at, _mm256_add_ps(_mm256_loadu_ps(at), acc[p][h]));
    }
  }
}

inline __m256i tailMask(int64_t remaining) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<int64_t>(remaining, 8))), index);
}

}  // namespace

namespace {

// Writes the tile (full or edge) from the 12 accumulators.
inline void finishTile(__m256 (&acc)[kGemmMr][2], float* c, int64_t ldc, int rows, int cols, float alpha, float beta,
                       bool first) {
  if (rows == kGemmMr && cols == kNr) {
    writeTile(acc, c, ldc, alpha, beta, first);
    return;
  }
  // Edge tile: the same arithmetic on a copy, so edge elements round like all others.
  alignas(32) float tile[kGemmMr][kNr] = {};
  for (int i = 0; i < rows; ++i)
    std::copy(c + i * ldc, c + i * ldc + cols, tile[i]);
  writeTile(acc, tile[0], kNr, alpha, beta, first);
  for (int i = 0; i < rows; ++i)
    std::copy(tile[i], tile[i] + cols, c + i * ldc);
}

// The 6 x 16 tile over kc steps; A element (i, k) at row[i][k * step] (step 1: rows in place,
// step MR: a packed panel). With kHalf, only columns 0-7 are computed (an edge panel of <= 8
// columns), each by the same FMA sequence as in a full tile.
template <int64_t kStep, bool kHalf>
inline void microTile(int64_t kc, const float* const (&row)[kGemmMr], const float* b, float* c, int64_t ldc, int rows,
                      int cols, float alpha, float beta, bool first) {
  // The C tile is read only after the loop: start fetching it now.
  for (int i = 0; i < rows; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + kNr - 1), _MM_HINT_T0);
  }
  const float *a0 = row[0], *a1 = row[1], *a2 = row[2], *a3 = row[3], *a4 = row[4], *a5 = row[5];
  // Named accumulators: an array here is kept in memory by GCC (it escapes to writeTile).
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  // One broadcast live at a time: 12 accumulators + 2 B vectors + 1 broadcast fill 15 registers.
  for (int64_t k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_load_ps(b), b1 = kHalf ? b0 : _mm256_load_ps(b + 8);
    const int64_t at = k * kStep;
    __m256 x = _mm256_broadcast_ss(a0 + at);
    c00 = _mm256_fmadd_ps(x, b0, c00);
    if (!kHalf)
      c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a1 + at);
    c10 = _mm256_fmadd_ps(x, b0, c10);
    if (!kHalf)
      c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a2 + at);
    c20 = _mm256_fmadd_ps(x, b0, c20);
    if (!kHalf)
      c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a3 + at);
    c30 = _mm256_fmadd_ps(x, b0, c30);
    if (!kHalf)
      c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a4 + at);
    c40 = _mm256_fmadd_ps(x, b0, c40);
    if (!kHalf)
      c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a5 + at);
    c50 = _mm256_fmadd_ps(x, b0, c50);
    if (!kHalf)
      c51 = _mm256_fmadd_ps(x, b1, c51);
    b += kNr;
  }
  __m256 acc[kGemmMr][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  finishTile(acc, c, ldc, rows, cols, alpha, beta, first);
}

template <int64_t kStep>
inline void microTileAnyWidth(int64_t kc, const float* const (&row)[kGemmMr], const float* b, float* c, int64_t ldc,
                              int rows, int cols, float alpha, float beta, bool first) {
  if (cols <= kNr / 2)
    microTile<kStep, true>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
  else
    microTile<kStep, false>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
}

void sampleRow(const float* pre, int64_t n, float beta, RngLanes& lanes, float* prob, float* sample) {
  constexpr int G = 4;  // vectors whose exp chains are interleaved
  avx2::VecRng rng = avx2::VecRng::load(lanes);
  const __m256 minusBeta = _mm256_set1_ps(-beta), one = _mm256_set1_ps(1.0f);
  auto finish = [&](__m256 e, __m256 u, int64_t j, bool full) {
    const __m256 s = _mm256_and_ps(_mm256_cmp_ps(_mm256_mul_ps(u, e), _mm256_sub_ps(one, u), _CMP_LT_OQ), one);
    const __m256 p = _mm256_div_ps(one, _mm256_add_ps(one, e));
    if (full) {
      if (sample != nullptr)
        _mm256_storeu_ps(sample + j, s);
      if (prob != nullptr)
        _mm256_storeu_ps(prob + j, p);
    } else {
      const __m256i mask = tailMask(n - j);
      if (sample != nullptr)
        _mm256_maskstore_ps(sample + j, mask, s);
      if (prob != nullptr)
        _mm256_maskstore_ps(prob + j, mask, p);
    }
  };
  int64_t j = 0;
  for (; j + G * 8 <= n; j += G * 8) {
    __m256 x[G], u[G];
    for (int g = 0; g < G; ++g) {
      x[g] = _mm256_mul_ps(minusBeta, _mm256_loadu_ps(pre + j + 8 * g));
      u[g] = avx2::uniformOpen(rng.next());
    }
    avx2::expPoly(x);
    for (int g = 0; g < G; ++g)
      finish(x[g], u[g], j + 8 * g, true);
  }
  for (; j < n; j += 8) {
    const __m256 e = avx2::expPoly(_mm256_mul_ps(minusBeta, _mm256_loadu_ps(pre + j)));
    finish(e, avx2::uniformOpen(rng.next()), j, j + 8 <= n);
  }
  rng.store(lanes);
}

}  // namespace

void gemmMicroAvx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int rows, int cols, float alpha,
                   float beta, bool first) {
  const float* const row[kGemmMr] = {a, a + 1, a + 2, a + 3, a + 4, a + 5};
  microTileAnyWidth<kGemmMr>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
}

void gemmMicroRowsAvx2(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc, int rows,
                       int cols, float alpha, float beta, bool first) {
  // Rows past the edge repeat row 0 (always valid); their sums are computed but never written.
  const float* row[kGemmMr];
  for (int i = 0; i < kGemmMr; ++i)
    row[i] = a + (i < rows ? i : 0) * lda;
  microTileAnyWidth<1>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
}

void addActiveRowsAvx2(const float* firstPanel, int64_t panelStride, int numPanels, const int32_t* rows, int64_t count,
                       float* out) {
  forActivePanelGroups<kNr>(firstPanel, panelStride, numPanels, out,
                            [&](auto panels, const float* group, float* groupOut) {
                              addActivePanels<decltype(panels)::value>(group, panelStride, rows, count, groupOut);
                            });
}

void sampleRowsAvx2(const float* pre, int64_t ldPre, int64_t rows, int64_t n, float beta, RngLanes* rng, float* prob,
                    float* sample) {
  for (int64_t r = 0; r < rows; ++r) {
    sampleRow(pre + r * ldPre, n, beta, rng[r], prob == nullptr ? nullptr : prob + r * n,
              sample == nullptr ? nullptr : sample + r * n);
  }
}

int64_t countOnesAvx2(const float* values, int64_t count) {
  // Per-lane counts in 32-bit lanes, summed per chunk so that no lane can overflow.
  constexpr int64_t kChunk = int64_t{1} << 24;
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  int64_t ones = 0;
  for (int64_t start = 0; start < count; start += kChunk) {
    const int64_t end = std::min(count, start + kChunk);
    __m256i lanes = _mm256_setzero_si256();
    __m256 valid = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    int64_t i = start;
    for (; i + 8 <= end; i += 8) {
      const __m256 v = _mm256_loadu_ps(values + i);
      const __m256 isOne = _mm256_cmp_ps(v, one, _CMP_EQ_OQ);
      valid = _mm256_and_ps(valid, _mm256_or_ps(isOne, _mm256_cmp_ps(v, zero, _CMP_EQ_OQ)));
      lanes = _mm256_sub_epi32(lanes, _mm256_castps_si256(isOne));  // true lanes are -1
    }
    if (_mm256_movemask_ps(valid) != 0xFF)
      return -1;
    alignas(32) int32_t lane[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lane), lanes);
    for (int32_t x : lane)
      ones += x;
    for (; i < end; ++i) {
      if (values[i] != 0.0f && values[i] != 1.0f)
        return -1;
      ones += values[i] == 1.0f;
    }
  }
  return ones;
}

namespace {

// A strip of 8 * T columns of y in T registers, over all rows.
template <int T>
void gemvTransposedStripAvx2(const float* a, int64_t rows, int64_t lda, const float* x, float* y) {
  __m256 acc[T];
  for (int t = 0; t < T; ++t)
    acc[t] = _mm256_setzero_ps();
  for (int64_t i = 0; i < rows; ++i) {
    const __m256 xi = _mm256_broadcast_ss(x + i);
    for (int t = 0; t < T; ++t)
      acc[t] = _mm256_fmadd_ps(_mm256_load_ps(a + i * lda + 8 * t), xi, acc[t]);
  }
  for (int t = 0; t < T; ++t)
    _mm256_storeu_ps(y + 8 * t, acc[t]);
}

}  // namespace

using StripFn = void (*)(const float*, int64_t, int64_t, const float*, float*);

template <size_t... T>
constexpr std::array<StripFn, sizeof...(T)> stripTable(std::index_sequence<T...>) {
  return {gemvTransposedStripAvx2<2 * (static_cast<int>(T) + 1)>...};
}

// Strips of up to 6 blocks: 12 ymm accumulators + loads fit in 16 ymm.
void gemvTransposedAvx2(const float* a, int64_t rows, int64_t cols, int64_t lda, const float* x, float* y) {
  static constexpr auto strips = stripTable(std::make_index_sequence<6>());
  forEvenStrips<6>(cols, [&](int64_t j, int64_t blocks) { strips[blocks - 1](a + j, rows, lda, x, y + j); });
}

}  // namespace heatbath::kernels
