// The column loop shared by the vector transposed-gemv kernels (contract in dense_kernel.h): y is
// computed in strips of 16-column blocks, each strip's sums held in registers over all rows, so a
// strip must be wide enough for independent FMA chains yet fit the register file. Strips are as few
// and as even as possible, at most kMaxBlocks blocks wide.
#pragma once

#include <cstdint>

namespace heatbath::kernels {

// Calls strip(first column, blocks) for each strip of `cols` (a multiple of 16) columns.
template <int64_t kMaxBlocks, typename Strip>
inline void forEvenStrips(int64_t cols, Strip&& strip) {
  const int64_t blocks = cols / 16, passes = (blocks + kMaxBlocks - 1) / kMaxBlocks;
  for (int64_t p = 0, first = 0; p < passes; ++p) {
    const int64_t width = (blocks * (p + 1)) / passes - (blocks * p) / passes;
    strip(16 * first, width);
    first += width;
  }
}

}  // namespace heatbath::kernels
