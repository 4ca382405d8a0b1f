// Portable reference of the quantized p-bit update: integer fields, the b-bit stream and the
// comparison r < T[I], chain by chain.
#include "gibbs_int_kernel.h"

namespace heatbath::kernels {

void intSweepsScalar(const QuantizedModel& m, const AcceptView& a, const IntGroup& g, int sweeps) {
  const int32_t first = m.blockStart[0], end = m.blockStart[m.numBlocks];
  for (int t = 0; t < g.tiles; ++t) {
    for (int sweep = 0; sweep < sweeps; ++sweep) {
      for (int32_t k = first; k < end; ++k) {
        const int32_t i = m.updateOrder[k];
        int32_t field[kIntLanes];
        for (int l = 0; l < kIntLanes; ++l)
          field[l] = m.bias[i];
        for (int32_t s = m.rowStart[i]; s < m.rowStart[i + 1]; ++s) {
          const uint32_t word = g.spins[int64_t{m.neighbour[s]} * kGroupTiles + t];
          for (int l = 0; l < kIntLanes; ++l)
            field[l] += ((word >> l) & 1u) ? m.coupling[s] : -m.coupling[s];
        }
        uint32_t draws[kIntLanes];
        drawBits(g.rng[t], a.bits, draws);
        uint32_t up = 0;
        for (int l = 0; l < kIntLanes; ++l) {
          up |= static_cast<uint32_t>(draws[l] < a.table[field[l] + a.maxField]) << l;
        }
        g.spins[int64_t{i} * kGroupTiles + t] = up;
      }
    }
  }
}

}  // namespace heatbath::kernels
