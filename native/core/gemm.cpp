#include "gemm.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "error.h"
#include "limits.h"

namespace heatbath {

using kernels::kGemmMr;

namespace {

constexpr int64_t kMaxBlockDepth = 2048;
// Largest A block (rows x k) that multiplyRows keeps in L2 across a whole B panel (Zen 5's L2 is 1 MB).
constexpr int64_t kPanelsOuterMaxBytes = int64_t{1} << 20;

int64_t ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// Packs rows [row0, row0 + rows) and depths [k0, k0 + kc) of op(A) into MR-row panels.
void packLeft(const LeftOperand& a, int64_t row0, int64_t rows, int64_t k0, int64_t kc, float* out) {
  for (int64_t r0 = 0; r0 < rows; r0 += kGemmMr) {
    float* panel = out + (r0 / kGemmMr) * kc * kGemmMr;
    const int live = static_cast<int>(std::min<int64_t>(kGemmMr, rows - r0));
    if (a.trans) {
      for (int64_t kk = 0; kk < kc; ++kk) {
        const float* src = a.a + (k0 + kk) * a.ld + row0 + r0;
        float* dst = panel + kk * kGemmMr;
        for (int i = 0; i < live; ++i)
          dst[i] = src[i];
        for (int i = live; i < kGemmMr; ++i)
          dst[i] = 0.0f;
      }
    } else {
      for (int i = 0; i < kGemmMr; ++i) {
        if (i >= live) {
          for (int64_t kk = 0; kk < kc; ++kk)
            panel[kk * kGemmMr + i] = 0.0f;
          continue;
        }
        const float* src = a.a + (row0 + r0 + i) * a.ld + k0;
        for (int64_t kk = 0; kk < kc; ++kk)
          panel[kk * kGemmMr + i] = src[kk];
      }
    }
  }
}

void checkDimension(int64_t value, const char* name) {
  if (value < 0 || value > kMaxDenseDimension) {
    throw invalidArgument(std::string(name) + " must be in [0, 2^31), got " + std::to_string(value));
  }
}

}  // namespace

int64_t gemmBlockDepth(int64_t k) {
  if (k <= 0)
    return 1;
  return ceilDiv(k, ceilDiv(k, kMaxBlockDepth));
}

void resizePanels(PackedPanels& out, int64_t k, int64_t n, int width) {
  const int64_t panels = ceilDiv(n, width);
  const int64_t size = panels * k * width;
  if (size > out.capacity || !out.data) {
    checkFits(static_cast<long double>(size) * sizeof(float), "the packed matrix");
    out.data = allocateAligned<float>(static_cast<size_t>(std::max<int64_t>(size, 1)));
    out.capacity = size;
  }
  std::fill(out.data.get(), out.data.get() + size, 0.0f);
  out.k = k, out.n = n, out.panels = panels, out.width = width;
}

void packPanels(const float* b, bool trans, int64_t k, int64_t n, int width, PackedPanels& out, ThreadPool& pool,
                int threads) {
  if (out.k != k || out.n != n || out.width != width || !out.data)
    resizePanels(out, k, n, width);
  pool.parallelFor(out.panels, threads, [&](int64_t p, int) {
    float* dst = out.data.get() + p * out.panelStride();
    const int64_t j0 = p * width;
    const int live = static_cast<int>(std::min<int64_t>(width, n - j0));
    if (trans) {
      // By blocks of depth, so that the block of the panel being filled stays in L1 while each
      // source row contributes one column to it.
      constexpr int64_t kDepthBlock = 64;
      for (int64_t k0 = 0; k0 < k; k0 += kDepthBlock) {
        const int64_t k1 = std::min(k, k0 + kDepthBlock);
        for (int q = 0; q < live; ++q) {
          const float* src = b + (j0 + q) * k;
          for (int64_t kk = k0; kk < k1; ++kk)
            dst[kk * width + q] = src[kk];
        }
        for (int64_t kk = k0; kk < k1; ++kk)
          std::fill(dst + kk * width + live, dst + (kk + 1) * width, 0.0f);
      }
    } else {
      for (int64_t kk = 0; kk < k; ++kk) {
        const float* src = b + kk * n + j0;
        float* row = dst + kk * width;
        for (int q = 0; q < live; ++q)
          row[q] = src[q];
        for (int q = live; q < width; ++q)
          row[q] = 0.0f;
      }
    }
  });
}

void setPanelWidth(PackedPanels& panels, int width) {
  if (panels.width == width || !panels.data)
    return;
  PackedPanels out;
  resizePanels(out, panels.k, panels.n, width);
  for (int64_t j = 0; j < panels.n; ++j) {
    const float* src = panels.panel(j / panels.width) + j % panels.width;
    float* dst = out.data.get() + (j / width) * out.panelStride() + j % width;
    for (int64_t kk = 0; kk < panels.k; ++kk)
      dst[kk * width] = src[kk * panels.width];
  }
  panels = std::move(out);
}

AlignedArray<float> allocateLeftPack(int64_t depth) {
  return allocateAligned<float>(static_cast<size_t>(kGemmBlockRows * depth));
}

void multiplyRows(const LeftOperand& a, int64_t row0, int64_t rows, const PackedPanels& b, int64_t panel0,
                  int64_t panel1, float alpha, float beta, float* c, int64_t ldc, int64_t cols, float* leftPack,
                  const kernels::DenseKernels& kernels) {
  if (rows <= 0)
    return;
  const int64_t k = b.k, depth = gemmBlockDepth(k), nr = b.width;
  // Row tiles of even heights (128 rows: 18 of 6 and 4 of 5, not 21 of 6 and one of 2, which costs
  // as much as 4: too few independent FMA chains to cover their latency). A packed transposed A
  // has its panels at multiples of MR, so there the tiles are MR rows but the last.
  const int64_t rowTiles = (rows + kGemmMr - 1) / kGemmMr;
  const int64_t evenHeight = rows / rowTiles, tallerTiles = rows % rowTiles;  // not divided per tile
  auto tileHeight = [&](int64_t t) {
    if (a.trans)
      return static_cast<int>(std::min<int64_t>(kGemmMr, rows - t * kGemmMr));
    return static_cast<int>(evenHeight + (t < tallerTiles ? 1 : 0));
  };
  // The tiles of panel p over depths [k0, k0 + kc).
  auto panelBlock = [&](int64_t p, int64_t k0, int64_t kc) {
    const float* bPanel = b.panel(p) + k0 * nr;
    const int width = static_cast<int>(std::min<int64_t>(nr, cols - p * nr));
    for (int64_t t = 0, r0 = 0; t < rowTiles; ++t) {
      const int height = tileHeight(t);
      float* tile = c + r0 * ldc + p * nr;
      if (a.trans) {
        kernels.micro(kc, leftPack + (r0 / kGemmMr) * kc * kGemmMr, bPanel, tile, ldc, height, width, alpha, beta,
                      k0 == 0);
      } else {
        kernels.microRows(kc, a.a + (row0 + r0) * a.ld + k0, a.ld, bPanel, tile, ldc, height, width, alpha, beta,
                          k0 == 0);
      }
      r0 += height;
    }
  };
  // Either loop order adds each C element's K-blocks in increasing order (the same bits).
  if (!a.trans && rows * k * static_cast<int64_t>(sizeof(float)) <= kPanelsOuterMaxBytes) {
    // Panels outer: each B panel streams once from start to end (its K-blocks are consecutive),
    // which the hardware prefetcher follows, while the A rows stay in L2. On Zen 5, two threads,
    // 48-144 rows x 784-1296 deep: 5-10 % faster than K-blocks outer.
    for (int64_t p = panel0; p < panel1; ++p) {
      for (int64_t k0 = 0; k0 < k; k0 += depth)
        panelBlock(p, k0, std::min(depth, k - k0));
    }
    return;
  }
  for (int64_t k0 = 0; k0 < k; k0 += depth) {
    const int64_t kc = std::min(depth, k - k0);
    if (a.trans)
      packLeft(a, row0, rows, k0, kc, leftPack);
    for (int64_t p = panel0; p < panel1; ++p)
      panelBlock(p, k0, kc);
  }
}

void gemm(const GemmArgs& g, const kernels::DenseKernels& kernels, ThreadPool& pool, int threads,
          GemmWorkspace& workspace) {
  checkDimension(g.m, "m");
  checkDimension(g.n, "n");
  checkDimension(g.k, "k");
  if (!std::isfinite(g.alpha) || !std::isfinite(g.beta))
    throw Error("ERR_NOT_FINITE", "alpha and beta must be finite");
  if (threads < 1)
    throw invalidArgument("threads must be at least 1");
  if (g.m == 0 || g.n == 0)
    return;
  if (g.k == 0 || g.alpha == 0.0f) {  // C = beta C (beta 0 clears, even NaN)
    for (int64_t x = 0; x < g.m * g.n; ++x)
      g.c[x] = g.beta == 0.0f ? 0.0f : g.beta * g.c[x];
    return;
  }
  PackedPanels& packed = workspace.packed;
  packPanels(g.b, g.transB, g.k, g.n, kernels.panelWidth, packed, pool, threads);
  const LeftOperand left{g.a, g.transA, g.m, g.k, g.transA ? g.m : g.k};

  // One task per thread at most, on the grid of row and column ranges whose largest task is
  // smallest (e.g. 256 x 500 on 2 threads, 16-column panels: two column halves of 16 panels rather
  // than 22 + 21 row panels). The split never changes results.
  const int64_t rowPanels = ceilDiv(g.m, kGemmMr);
  int64_t rowTasks = 1, colTasks = 1, bestCost = -1;
  for (int64_t rt = 1; rt <= std::min<int64_t>(rowPanels, threads); ++rt) {
    for (int64_t ct = 1; ct <= std::min<int64_t>(packed.panels, threads / rt); ++ct) {
      const int64_t cost = ceilDiv(rowPanels, rt) * ceilDiv(packed.panels, ct);
      if (bestCost < 0 || cost < bestCost)
        bestCost = cost, rowTasks = rt, colTasks = ct;
    }
  }
  const int64_t rowsPerTask = ceilDiv(rowPanels, rowTasks) * kGemmMr;
  const int64_t colPanelsPerTask = ceilDiv(packed.panels, colTasks);
  const int workers = static_cast<int>(rowTasks * colTasks);
  std::vector<AlignedArray<float>>& scratch = workspace.leftPacks;
  if (workspace.leftDepth < gemmBlockDepth(g.k))
    scratch.clear(), workspace.leftDepth = gemmBlockDepth(g.k);
  if (static_cast<int>(scratch.size()) < workers)
    scratch.resize(workers);
  // A cancelled product stops between pieces of one row block and a few panels (tens of ms at most);
  // every C element still adds its K-blocks in order, so the pieces never change results.
  constexpr int64_t kPanelsPerPiece = 8;
  const CancelToken* cancel = CancelScope::active();
  pool.parallelFor(rowTasks * colTasks, workers, [&](int64_t task, int worker) {
    if (g.transA && !scratch[worker])
      scratch[worker] = allocateLeftPack(workspace.leftDepth);
    const int64_t firstRow = (task / colTasks) * rowsPerTask, endRow = std::min(g.m, firstRow + rowsPerTask);
    const int64_t panel0 = (task % colTasks) * colPanelsPerTask;
    const int64_t panel1 = std::min(packed.panels, panel0 + colPanelsPerTask);
    for (int64_t row0 = firstRow; row0 < endRow; row0 += kGemmBlockRows) {
      for (int64_t p0 = panel0; p0 < panel1; p0 += kPanelsPerPiece) {
        if (cancel != nullptr && cancel->isCancelled())
          return;
        multiplyRows(left, row0, std::min(kGemmBlockRows, endRow - row0), packed, p0,
                     std::min(panel1, p0 + kPanelsPerPiece), g.alpha, g.beta, g.c + row0 * g.n, g.n, g.n,
                     scratch[worker].get(), kernels);
      }
    }
  });
}

}  // namespace heatbath
