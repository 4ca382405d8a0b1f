// Multispin (bit-packed) block-Gibbs kernels for quantized Ising models whose couplings have few
// levels (±J, small integers {−k..k}): one bit per chain, kBlockChains = 512 chains per node in
// kBlockWords 64-bit words (one AVX-512 register, two AVX2 registers, eight scalar words).
//
// Update rule, identical in every kernel (the contract the tests check), for a free node i with
// neighbours j, integer couplings J_ij and bias h_i, W_i = sum_j |J_ij|:
//   x_j   = s_j XOR (J_ij < 0)                          (the neighbour "agrees" with its coupling)
//   n     = sum_j |J_ij| x_j in [0, W_i]                (bit-sliced carry-save adders, below)
//   I     = h_i - W_i + 2 n                             (exactly the integer kernel's field)
//   r     = sum_q 2^q plane_q, q = 0..b-1               (plane q = the block generator's q-th step)
//   s_i   = (r < T[I]) ? +1 : −1,  T = the acceptance table of core/accept_table.h
// Bit-slicing: each term |J_ij| x_j adds x_j into the columns of the set bits of |J_ij|; a column
// is reduced to one bit by full adders (three bits to a sum and a carry into the next column) and a
// half adder, column after column. Acceptance compares r with every threshold t_n = T[h − W + 2n],
// n = 0..W, least significant plane first (ge = r_q AND ge where t has a 1, r_q OR ge where it has a
// 0: r >= t), and a multiplexer tree over the bits of n picks the one the chain's count selects.
// Nodes with at most 8 neighbours and unit |J| (±J models) take a fixed network held in registers.
//
// The random stream of a block: 16 xoshiro128+ streams (rng_lanes.h's generator); one step of all
// 16 is a 512-bit plane in which stream L gives chains 32L..32L+31 (bit k of its word: chain 32L+k).
// Each update takes b planes. These are not the integer kernel's draws (docs/quantized.md says why).
#pragma once
#include <cstdint>

#include "../simd/rng_lanes.h"

namespace heatbath::kernels {

constexpr int kBlockChains = 512;
constexpr int kBlockWords = kBlockChains / 64;
constexpr int kBlockStreams = kBlockChains / 32;
// sum_j |J_ij| per node: the count n has at most 5 bits and the comparison tree at most 32 leaves.
constexpr int32_t kMaxMultispinCount = 31;
constexpr int kMaxCountBits = 5;

struct alignas(64) BlockRng {
  uint32_t s[4][kBlockStreams];
};

// One step of the block's 16 streams: a plane of 512 random bits as 8 words.
inline void stepBlockRng(BlockRng& r, uint64_t* plane) {
  uint32_t words[kBlockStreams];
  for (int l = 0; l < kBlockStreams; ++l)
    words[l] = xoshiroStep(r.s[0][l], r.s[1][l], r.s[2][l], r.s[3][l]);
  for (int w = 0; w < kBlockWords; ++w)
    plane[w] = uint64_t{words[2 * w]} | (uint64_t{words[2 * w + 1]} << 32);
}

// One neighbour term: the neighbour's spins, XORed with flip, added at bit `column` of the count.
struct MultispinTerm {
  int32_t neighbour;
  int32_t column;
  uint64_t flip;  // all ones when J_ij < 0
};

struct MultispinModel {
  const int32_t* termStart;  // per node, into terms; a node's terms are ordered by column
  const MultispinTerm* terms;
  const int32_t* countBits;   // bits of W_i
  const int32_t* weightSum;   // W_i
  const int32_t* base;        // h_i − W_i: the field with n = 0
  const int32_t* unitDegree;  // the degree when it is 1..8 and every |J_ij| = 1 (a faster path), else 0
                              // (then |h_i| + degree <= the accept view's maskField)
  const int32_t* updateOrder;
  const int32_t* blockStart;
  int32_t numBlocks;
};

struct MultispinAccept {
  int bits;
  int32_t maxField;
  const uint64_t* table;  // T[I] at table[I + maxField]
  // T[I] as words for the ±J path, for |I| <= maskField: row I + maskField holds bits + 1 words, the
  // start of the comparison (0 when T[I] = 2^b, which accepts every draw, else all ones) and then
  // bit q of T[I] spread over a word (all ones when T[I] = 2^b).
  int32_t maskField;
  const uint64_t* masks;
};

// Fills masks for |I| <= maskField from the table (MultispinAccept's layout).
inline void fillThresholdMasks(int bits, int32_t maxField, const uint64_t* table, int32_t maskField, uint64_t* masks) {
  for (int32_t field = -maskField; field <= maskField; ++field) {
    const uint64_t t = table[field + maxField];
    const bool always = (t >> bits) != 0;
    uint64_t* row = masks + int64_t{field + maskField} * (bits + 1);
    row[0] = always ? 0 : ~uint64_t{0};
    for (int q = 0; q < bits; ++q)
      row[q + 1] = (always || ((t >> q) & 1u)) ? ~uint64_t{0} : 0;
  }
}

struct MultispinBlock {
  uint64_t* spins;  // node i at spins[i * kBlockWords], kBlockWords words
  BlockRng* rng;
};

using MultispinSweepFn = void (*)(const MultispinModel& model, const MultispinAccept& accept,
                                  const MultispinBlock& block, int sweeps);

void multispinSweepsScalar(const MultispinModel& model, const MultispinAccept& accept, const MultispinBlock& block,
                           int sweeps);
void multispinSweepsAvx2(const MultispinModel& model, const MultispinAccept& accept, const MultispinBlock& block,
                         int sweeps);
void multispinSweepsAvx512(const MultispinModel& model, const MultispinAccept& accept, const MultispinBlock& block,
                           int sweeps);

}  // namespace heatbath::kernels
