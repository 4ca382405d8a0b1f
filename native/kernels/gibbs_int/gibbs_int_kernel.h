// Block-Gibbs sweep kernels for quantized (fixed-point) Ising models: the p-bit circuit.
//
// Chains come in tiles of kIntLanes = 32; a tile's spins are one bit per chain (bit l = chain l of
// the tile is +1), stored per node. kGroupTiles tiles form a group whose words of one node are
// adjacent ([node][tile]), so a kernel shares index and weight loads among them.
//
// Update rule, identical in every kernel (the contract the tests check), for a free node i:
//   I   = h_i + sum_j J_ij s_j                       (exact integer; |I| <= maxField <= kMaxIntField)
//   r   = the chain's next b-bit draw (drawBits below)
//   s_i = (r < T[I]) ? +1 : -1,   T[I] = floor(2^b sigmoid(2 beta scale I)), non-decreasing in I
// Nodes are updated in updateOrder (core/update_order.h), one at a time.
//
// The random stream of a tile: 16 xoshiro128+ streams (rng_lanes.h's generator), lane L owning
// chains 2L (low 16 bits of each word) and 2L + 1 (high 16 bits). For b <= 16 a step of the 16
// streams serves floor(16 / b) updates: update j of the step takes bits [16 - b(j+1), 16 - bj) of
// each half, top bits first. For b > 16 each update takes two steps: r = (h1 << 16 | h2) >> (32 - b).
#pragma once
#include <cstdint>

#include "../simd/rng_lanes.h"

namespace heatbath::kernels {

constexpr int kIntLanes = 32;
constexpr int kIntStreams = kIntLanes / 2;
constexpr int kGroupTiles = 4;
// Fields are summed in int16 lanes: every partial sum is the field of some configuration, so
// |h_i| + sum_j |J_ij| <= kMaxIntField keeps them all in range (and leaves room for kMaxIntField + 1
// as the "never up" threshold).
constexpr int32_t kMaxIntField = 32766;

struct alignas(64) IntRng {
  uint32_t s[4][kIntStreams];
  uint32_t buffer[kIntStreams];  // the last step's words (b <= 16)
  int32_t left = 0;              // updates the buffer still serves
};

// One xoshiro128+ step of all 16 streams of a tile.
inline void stepIntRng(IntRng& r, uint32_t* out) {
  for (int l = 0; l < kIntStreams; ++l)
    out[l] = xoshiroStep(r.s[0][l], r.s[1][l], r.s[2][l], r.s[3][l]);
}

inline uint32_t halfOf(const uint32_t* words, int lane) {
  return (words[lane / 2] >> (16 * (lane % 2))) & 0xFFFFu;
}

// The next b-bit draw of every chain of a tile (the scalar reference of the stream).
inline void drawBits(IntRng& r, int bits, uint32_t* draws) {
  if (bits <= 16) {
    const int perStep = 16 / bits;
    if (r.left == 0) {
      stepIntRng(r, r.buffer);
      r.left = perStep;
    }
    const int shift = 16 - bits * (perStep - r.left + 1);
    --r.left;
    const uint32_t mask = (1u << bits) - 1;
    for (int l = 0; l < kIntLanes; ++l)
      draws[l] = (halfOf(r.buffer, l) >> shift) & mask;
  } else {
    uint32_t first[kIntStreams], second[kIntStreams];
    stepIntRng(r, first);
    stepIntRng(r, second);
    for (int l = 0; l < kIntLanes; ++l)
      draws[l] = ((halfOf(first, l) << 16) | halfOf(second, l)) >> (32 - bits);
  }
}

struct QuantizedModel {
  int32_t numNodes;
  const int32_t* rowStart;  // CSR
  const int32_t* neighbour;
  const int32_t* coupling;       // J_ij per CSR slot (integers)
  const int16_t* twiceCoupling;  // 2 J_ij per slot, modulo 2^16
  const int32_t* bias;           // h_i
  const int16_t* base;           // h_i - sum_j J_ij: the field with every neighbour at -1
  const int32_t* updateOrder;
  const int32_t* blockStart;
  int32_t numBlocks;
};

// The acceptance of one beta: T over I in [-maxField, maxField] and, for b <= 16, its inverse
// theta[r] = min { I : T[I] > r } (maxField + 1 if none), so that r < T[I] exactly when I >= theta[r].
struct AcceptView {
  int bits;
  int32_t maxField;
  const uint64_t* table;  // T[I] at table[I + maxField]
  const int16_t* theta;   // max(2^b, 64) + 1 entries (b <= 16), else null
};

struct IntGroup {
  uint32_t* spins;  // node i, tile t at spins[i * kGroupTiles + t]
  IntRng* rng;      // kGroupTiles streams
  int tiles;        // tiles in use, 1..kGroupTiles
};

using IntSweepFn = void (*)(const QuantizedModel& model, const AcceptView& accept, const IntGroup& group, int sweeps);

void intSweepsScalar(const QuantizedModel& model, const AcceptView& accept, const IntGroup& group, int sweeps);
void intSweepsAvx2(const QuantizedModel& model, const AcceptView& accept, const IntGroup& group, int sweeps);
// Needs AVX512BW besides AVX-512F.
void intSweepsAvx512(const QuantizedModel& model, const AcceptView& accept, const IntGroup& group, int sweeps);

}  // namespace heatbath::kernels
