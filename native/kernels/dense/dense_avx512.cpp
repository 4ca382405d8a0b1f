// AVX-512F kernels of the dense engine (contract in dense_kernel.h). They keep that contract to
// the bit: the same k-order and FMA for every sum, the same exp steps and the same random words,
// so their results equal the AVX2 kernels' exactly; only tile shapes and vector widths differ.
//
// gemmMicroAvx512 keeps a 6 x 32 tile of C in 12 zmm registers: per k step two B loads, six
// broadcasts and 12 independent FMAs. A 12 x 16 tile also has 12 accumulators but needs 13 loads
// per 12 FMAs and ran ~20 % slower on Zen 5: the loads, not the FMAs, were the limit. Hence
// panels 32 columns wide. addActiveRowsAvx512 sums packed rows of the active inputs for up to 4
// panels at once (8 independent add chains). sampleRowsAvx512 takes rows in pairs, so that one
// 16-lane generator step yields the words of 8 columns of both rows; exp and the test run on 16
// lanes.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "active_row_groups.h"
#include "dense_kernel.h"
#include "gemv_strips.h"
#include "../simd/simd_avx2.h"
#include "../simd/simd_avx512.h"

namespace heatbath::kernels {

namespace {

constexpr int kNr = kPanelWidthAvx512;

// Lanes [0, count) of a 16-lane vector, count clipped to [0, 16].
inline __mmask16 firstLanes(int64_t count) {
  if (count >= 16)
    return 0xFFFF;
  return count <= 0 ? 0 : static_cast<__mmask16>((1u << count) - 1);
}

// Set bits of a 16-bit mask, without the POPCNT instruction (not implied by the -mavx512f flags).
inline int popcount16(uint32_t bits) {
  bits = bits - ((bits >> 1) & 0x5555u);
  bits = (bits & 0x3333u) + ((bits >> 2) & 0x3333u);
  bits = (bits + (bits >> 4)) & 0x0F0Fu;
  return static_cast<int>((bits + (bits >> 8)) & 0x1Fu);
}

// C = (first ? beta * C : C) + alpha * acc for the rows x cols corner of the tile at c. Masked
// loads and stores keep edge elements on the same arithmetic as all others.
inline void writeTile(const __m512 (&acc)[kGemmMr][2], float* c, int64_t ldc, int rows, int cols, float alpha,
                      float beta, bool first) {
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  const __mmask16 mask[2] = {firstLanes(cols), firstLanes(cols - 16)};
  for (int i = 0; i < rows; ++i) {
    for (int h = 0; h < 2; ++h) {
      if (mask[h] == 0)
        continue;
      float* at = c + i * ldc + h * 16;
      __m512 old = _mm512_maskz_loadu_ps(mask[h], at);
      if (first)
        old = beta == 0.0f ? _mm512_setzero_ps() : _mm512_mul_ps(vb, old);
      _mm512_mask_storeu_ps(at, mask[h], _mm512_fmadd_ps(va, acc[i][h], old));
    }
  }
}

// The kRows x 32 tile over kc steps; A element (i, k) at row[i][k * step] (step 1: rows in place,
// step MR: a packed panel). With kHalf, only columns 0-15 are computed (an edge panel of <= 16
// columns). Edge tiles compute only their rows and columns, each by the same FMA sequence as in a
// full tile: a partial row tile then costs in proportion to its rows (down to the FMA latency), so
// work can be split between threads at any row, not only at multiples of MR.
template <int64_t kStep, bool kHalf, int kRows>
inline void microTile(int64_t kc, const float* const (&row)[kGemmMr], const float* b, float* c, int64_t ldc, int cols,
                      float alpha, float beta, bool first) {
  // The C tile is read only after the loop: start fetching it now.
  for (int i = 0; i < kRows; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + kNr - 1), _MM_HINT_T0);
  }
  const float *a0 = row[0], *a1 = row[1], *a2 = row[2], *a3 = row[3], *a4 = row[4], *a5 = row[5];
  // Named accumulators: an array here is kept in memory by GCC (it escapes to writeTile).
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  // One row of the tile: acc(i, 0..31) += a(i, k) * b(k, 0..31).
#define HEATBATH_TILE_ROW(i)                     \
  if (kRows > i) {                               \
    const __m512 x = _mm512_set1_ps(a##i[at]);   \
    c##i##0 = _mm512_fmadd_ps(x, b0, c##i##0);   \
    if (!kHalf)                                  \
      c##i##1 = _mm512_fmadd_ps(x, b1, c##i##1); \
  }
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_load_ps(b), b1 = kHalf ? b0 : _mm512_load_ps(b + 16);
    const int64_t at = k * kStep;
    HEATBATH_TILE_ROW(0)
    HEATBATH_TILE_ROW(1)
    HEATBATH_TILE_ROW(2)
    HEATBATH_TILE_ROW(3)
    HEATBATH_TILE_ROW(4)
    HEATBATH_TILE_ROW(5)
    b += kNr;
  }
#undef HEATBATH_TILE_ROW
  const __m512 acc[kGemmMr][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  writeTile(acc, c, ldc, kRows, cols, alpha, beta, first);
}

template <int64_t kStep, bool kHalf>
inline void microTileAnyHeight(int64_t kc, const float* const (&row)[kGemmMr], const float* b, float* c, int64_t ldc,
                               int rows, int cols, float alpha, float beta, bool first) {
  switch (rows) {
    case 1:
      microTile<kStep, kHalf, 1>(kc, row, b, c, ldc, cols, alpha, beta, first);
      break;
    case 2:
      microTile<kStep, kHalf, 2>(kc, row, b, c, ldc, cols, alpha, beta, first);
      break;
    case 3:
      microTile<kStep, kHalf, 3>(kc, row, b, c, ldc, cols, alpha, beta, first);
      break;
    case 4:
      microTile<kStep, kHalf, 4>(kc, row, b, c, ldc, cols, alpha, beta, first);
      break;
    case 5:
      microTile<kStep, kHalf, 5>(kc, row, b, c, ldc, cols, alpha, beta, first);
      break;
    default:
      microTile<kStep, kHalf, kGemmMr>(kc, row, b, c, ldc, cols, alpha, beta, first);
      break;
  }
}

template <int64_t kStep>
inline void microTileAnyShape(int64_t kc, const float* const (&row)[kGemmMr], const float* b, float* c, int64_t ldc,
                              int rows, int cols, float alpha, float beta, bool first) {
  if (cols <= kNr / 2)
    microTileAnyHeight<kStep, true>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
  else
    microTileAnyHeight<kStep, false>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
}

template <int P>
void addActivePanels(const float* firstPanel, int64_t panelStride, const int32_t* rows, int64_t count, float* out) {
  __m512 acc[P][2];
  for (int p = 0; p < P; ++p)
    acc[p][0] = acc[p][1] = _mm512_setzero_ps();
  for (int64_t r = 0; r < count; ++r) {
    const float* row = firstPanel + int64_t{rows[r]} * kNr;
    for (int p = 0; p < P; ++p) {
      acc[p][0] = _mm512_add_ps(acc[p][0], _mm512_load_ps(row + p * panelStride));
      acc[p][1] = _mm512_add_ps(acc[p][1], _mm512_load_ps(row + p * panelStride + 16));
    }
  }
  for (int p = 0; p < P; ++p) {
    for (int h = 0; h < 2; ++h) {
      float* at = out + p * kNr + h * 16;
      _mm512_storeu_ps(at, _mm512_add_ps(_mm512_loadu_ps(at), acc[p][h]));
    }
  }
}

// Two 8-lane words side by side: columns j..j+7 take the first, j+8..j+15 the second.
inline __m512i joinWords(__m256i first, __m256i second) {
  return _mm512_inserti64x4(_mm512_zextsi256_si512(first), second, 1);
}

void sampleRow(const float* pre, int64_t n, float beta, RngLanes& lanes, float* prob, float* sample) {
  constexpr int G = 4;  // vectors whose exp chains are interleaved
  avx2::VecRng rng = avx2::VecRng::load(lanes);
  const __m512 minusBeta = _mm512_set1_ps(-beta), one = _mm512_set1_ps(1.0f);
  auto finish = [&](__m512 e, __m512 u, int64_t j, __mmask16 store) {
    const __mmask16 below = _mm512_cmp_ps_mask(_mm512_mul_ps(u, e), _mm512_sub_ps(one, u), _CMP_LT_OQ);
    if (sample != nullptr)
      _mm512_mask_storeu_ps(sample + j, store, _mm512_maskz_mov_ps(below, one));
    if (prob != nullptr)
      _mm512_mask_storeu_ps(prob + j, store, _mm512_div_ps(one, _mm512_add_ps(one, e)));
  };
  int64_t j = 0;
  for (; j + G * 16 <= n; j += G * 16) {
    __m512 x[G], u[G];
    for (int g = 0; g < G; ++g) {
      x[g] = _mm512_mul_ps(minusBeta, _mm512_loadu_ps(pre + j + 16 * g));
      const __m256i first = rng.next();
      u[g] = avx512::uniformOpen(joinWords(first, rng.next()));
    }
    avx512::expPoly(x);
    for (int g = 0; g < G; ++g)
      finish(x[g], u[g], j + 16 * g, 0xFFFF);
  }
  for (; j < n; j += 16) {
    // The second word is drawn only if a column needs it: ceil(n / 8) words per lane and row.
    const __m256i first = rng.next(), second = n - j > 8 ? rng.next() : first;
    __m512 x[1] = {_mm512_mul_ps(minusBeta, _mm512_loadu_ps(pre + j))};
    avx512::expPoly(x);
    finish(x[0], avx512::uniformOpen(joinWords(first, second)), j, firstLanes(n - j));
  }
  rng.store(lanes);
}

// Rows r and r + 1 side by side: lanes 0-7 hold columns j..j+7 of row r, lanes 8-15 those of row
// r + 1, so one step of the two rows' generators (VecRng2) gives the words of all 16 lanes; a
// single row needs two steps of its 8-lane generator per 16 lanes.
struct RowPair {
  const float* pre[2];
  RngLanes* rng[2];
  float* prob[2];
  float* sample[2];
};

inline __m512 loadPair(const float* lo, const float* hi) {
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_zextps256_ps512(_mm256_loadu_ps(lo))),
                                             _mm256_castps_pd(_mm256_loadu_ps(hi)), 1));
}

// Stores the live columns (count <= 8) of each half.
inline void storePair(__m512 v, float* lo, float* hi, int64_t count) {
  const __m256 low = _mm512_castps512_ps256(v);
  const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  if (count >= 8) {
    _mm256_storeu_ps(lo, low);
    _mm256_storeu_ps(hi, high);
  } else {
    const __m256i mask =
        _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(lo, mask, low);
    _mm256_maskstore_ps(hi, mask, high);
  }
}

void samplePair(const RowPair& rows, int64_t n, float beta) {
  constexpr int G = 4;  // vectors whose exp chains are interleaved
  avx512::VecRng2 rng = avx512::VecRng2::load(*rows.rng[0], *rows.rng[1]);
  const __m512 minusBeta = _mm512_set1_ps(-beta), one = _mm512_set1_ps(1.0f);
  auto finish = [&](__m512 e, __m512 u, int64_t j) {
    const __mmask16 below = _mm512_cmp_ps_mask(_mm512_mul_ps(u, e), _mm512_sub_ps(one, u), _CMP_LT_OQ);
    if (rows.sample[0] != nullptr)
      storePair(_mm512_maskz_mov_ps(below, one), rows.sample[0] + j, rows.sample[1] + j, n - j);
    if (rows.prob[0] != nullptr) {
      storePair(_mm512_div_ps(one, _mm512_add_ps(one, e)), rows.prob[0] + j, rows.prob[1] + j, n - j);
    }
  };
  int64_t j = 0;
  for (; j + G * 8 <= n; j += G * 8) {
    __m512 x[G], u[G];
    for (int g = 0; g < G; ++g) {
      x[g] = _mm512_mul_ps(minusBeta, loadPair(rows.pre[0] + j + 8 * g, rows.pre[1] + j + 8 * g));
      u[g] = avx512::uniformOpen(rng.next());
    }
    avx512::expPoly(x);
    for (int g = 0; g < G; ++g)
      finish(x[g], u[g], j + 8 * g);
  }
  for (; j < n; j += 8) {
    __m512 x[1] = {_mm512_mul_ps(minusBeta, loadPair(rows.pre[0] + j, rows.pre[1] + j))};
    avx512::expPoly(x);
    finish(x[0], avx512::uniformOpen(rng.next()), j);
  }
  rng.store(*rows.rng[0], *rows.rng[1]);
}

}  // namespace

void gemmMicroAvx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int rows, int cols, float alpha,
                     float beta, bool first) {
  const float* const row[kGemmMr] = {a, a + 1, a + 2, a + 3, a + 4, a + 5};
  microTileAnyShape<kGemmMr>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
}

void gemmMicroRowsAvx512(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc, int rows,
                         int cols, float alpha, float beta, bool first) {
  // Rows past the edge point at row 0 (always valid) but are never read.
  const float* row[kGemmMr];
  for (int i = 0; i < kGemmMr; ++i)
    row[i] = a + (i < rows ? i : 0) * lda;
  microTileAnyShape<1>(kc, row, b, c, ldc, rows, cols, alpha, beta, first);
}

void addActiveRowsAvx512(const float* firstPanel, int64_t panelStride, int numPanels, const int32_t* rows,
                         int64_t count, float* out) {
  forActivePanelGroups<kNr>(firstPanel, panelStride, numPanels, out,
                            [&](auto panels, const float* group, float* groupOut) {
                              addActivePanels<decltype(panels)::value>(group, panelStride, rows, count, groupOut);
                            });
}

void sampleRowsAvx512(const float* pre, int64_t ldPre, int64_t rows, int64_t n, float beta, RngLanes* rng, float* prob,
                      float* sample) {
  auto at = [n](float* out, int64_t r) { return out == nullptr ? nullptr : out + r * n; };
  int64_t r = 0;
  for (; r + 2 <= rows; r += 2) {
    const RowPair pair{{pre + r * ldPre, pre + (r + 1) * ldPre},
                       {&rng[r], &rng[r + 1]},
                       {at(prob, r), at(prob, r + 1)},
                       {at(sample, r), at(sample, r + 1)}};
    samplePair(pair, n, beta);
  }
  if (r < rows)
    sampleRow(pre + r * ldPre, n, beta, rng[r], at(prob, r), at(sample, r));
}

int64_t countOnesAvx512(const float* values, int64_t count) {
  // Per-lane counts in 32-bit lanes, summed per chunk so that no lane can overflow.
  constexpr int64_t kChunk = int64_t{1} << 24;
  const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
  const __m512i increment = _mm512_set1_epi32(1);
  int64_t ones = 0;
  for (int64_t start = 0; start < count; start += kChunk) {
    const int64_t end = std::min(count, start + kChunk);
    __m512i lanes = _mm512_setzero_si512();
    __mmask16 valid = 0xFFFF;
    for (int64_t i = start; i < end; i += 16) {
      // The last step loads only the live lanes; the others read as 0, a valid non-one entry.
      const __m512 v = _mm512_maskz_loadu_ps(firstLanes(end - i), values + i);
      const __mmask16 isOne = _mm512_cmp_ps_mask(v, one, _CMP_EQ_OQ);
      valid &= isOne | _mm512_cmp_ps_mask(v, zero, _CMP_EQ_OQ);
      lanes = _mm512_mask_add_epi32(lanes, isOne, lanes, increment);
    }
    if (valid != 0xFFFF)
      return -1;
    ones += _mm512_reduce_add_epi32(lanes);
  }
  return ones;
}

int64_t listOnesAvx512(const float* values, int64_t count, int32_t first, int32_t* out) {
  // Compress in a register and store the whole vector: a compressing store to memory is
  // microcoded and slow on some cores.
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512i step = _mm512_set1_epi32(16);
  __m512i index = _mm512_add_epi32(_mm512_set1_epi32(first),
                                   _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  int64_t filled = 0;
  for (int64_t i = 0; i < count; i += 16) {
    const __m512 v = _mm512_maskz_loadu_ps(firstLanes(count - i), values + i);
    const __mmask16 ones = _mm512_cmp_ps_mask(v, one, _CMP_EQ_OQ);
    _mm512_storeu_si512(out + filled, _mm512_maskz_compress_epi32(ones, index));
    filled += popcount16(ones);
    index = _mm512_add_epi32(index, step);
  }
  return filled;
}

namespace {

// A strip of 16 * T columns of y in T registers, over all rows.
template <int T>
void gemvTransposedStripAvx512(const float* a, int64_t rows, int64_t lda, const float* x, float* y) {
  __m512 acc[T];
  for (int t = 0; t < T; ++t)
    acc[t] = _mm512_setzero_ps();
  for (int64_t i = 0; i < rows; ++i) {
    const __m512 xi = _mm512_set1_ps(x[i]);
    for (int t = 0; t < T; ++t)
      acc[t] = _mm512_fmadd_ps(_mm512_load_ps(a + i * lda + 16 * t), xi, acc[t]);
  }
  for (int t = 0; t < T; ++t)
    _mm512_storeu_ps(y + 16 * t, acc[t]);
}

}  // namespace

using StripFn = void (*)(const float*, int64_t, int64_t, const float*, float*);

template <size_t... T>
constexpr std::array<StripFn, sizeof...(T)> stripTable(std::index_sequence<T...>) {
  return {gemvTransposedStripAvx512<static_cast<int>(T) + 1>...};
}

// Strips of up to 24 blocks: 24 zmm accumulators + loads fit in 32 zmm.
void gemvTransposedAvx512(const float* a, int64_t rows, int64_t cols, int64_t lda, const float* x, float* y) {
  static constexpr auto strips = stripTable(std::make_index_sequence<24>());
  forEvenStrips<24>(cols, [&](int64_t j, int64_t blocks) { strips[blocks - 1](a + j, rows, lda, x, y + j); });
}

}  // namespace heatbath::kernels
