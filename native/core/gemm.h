// Dense float32 matrix products, C = alpha op(A) op(B) + beta C, all row-major: packed panels,
// a register-blocked micro-kernel per ISA (kernels/dense/dense_kernel.h), cache blocking, and the
// addon's thread pool. Each C element is summed in K-blocks whose length depends on K only (see
// the contract in dense_kernel.h), so results are bit-identical for any thread count.
#pragma once
#include <cstdint>
#include <vector>

#include "../kernels/dense/dense_kernel.h"
#include "memory.h"
#include "thread_pool.h"

namespace heatbath {

// Rows of A per block: the rows of a transposed A packed at a time (kGemmBlockRows x depth floats).
constexpr int64_t kGemmBlockRows = 24 * kernels::kGemmMr;

// Length of the K-blocks for a product of depth k: at most 2048, as even as possible. Each block
// costs a round trip of the C tile; the micro-kernel reads its B micro-panel from L2 about as
// fast as from L1, so long blocks win (on Zen 5 the RBM and Langevin products ran 2-3 % faster
// than with blocks of at most 256).
int64_t gemmBlockDepth(int64_t k);

// op(B) (k x n) packed into panels of `width` columns (layout in dense_kernel.h); the width is
// that of the kernel set that reads them.
struct PackedPanels {
  int64_t k = 0, n = 0, panels = 0;
  int width = 0;
  AlignedArray<float> data;
  int64_t capacity = 0;  // floats allocated in data
  const float* panel(int64_t p) const { return data.get() + p * panelStride(); }
  int64_t panelStride() const { return k * width; }
  int64_t paddedColumns() const { return panels * width; }
};

// Gives out the shape of op(B) (k x n, panels of `width`) with all entries zero, reusing its storage
// when large enough (fresh pages are costly: products of alternating shapes must not reallocate).
void resizePanels(PackedPanels& out, int64_t k, int64_t n, int width);

// Packs op(B) into panels of `width`: b holds k x n (trans false) or n x k (trans true, op(B) =
// its transpose). Reuses out's storage when large enough.
void packPanels(const float* b, bool trans, int64_t k, int64_t n, int width, PackedPanels& out, ThreadPool& pool,
                int threads);

// Re-lays packed panels out in panels of `width` (no-op if they already are).
void setPanelWidth(PackedPanels& panels, int width);

// op(A) of a product: a holds m x k (trans false) or k x m (trans true), rows ld floats apart.
struct LeftOperand {
  const float* a;
  bool trans;
  int64_t m, k;
  int64_t ld;
};

// Scratch for packing blocks of a transposed A: kGemmBlockRows x depth floats.
AlignedArray<float> allocateLeftPack(int64_t depth);

// Rows [row0, row0 + rows) (rows <= kGemmBlockRows if A is transposed) and panels [panel0, panel1) of
// C = alpha op(A) B + beta C on the calling thread. c points at C's row row0, column 0 (stride
// ldc); columns at or past `cols` are not written. A transposed A is packed into leftPack; a
// row-major one is read in place (leftPack unused).
void multiplyRows(const LeftOperand& a, int64_t row0, int64_t rows, const PackedPanels& b, int64_t panel0,
                  int64_t panel1, float alpha, float beta, float* c, int64_t ldc, int64_t cols, float* leftPack,
                  const kernels::DenseKernels& kernels);

struct GemmArgs {
  bool transA = false, transB = false;
  int64_t m = 0, n = 0, k = 0;
  float alpha = 1, beta = 0;
  const float* a = nullptr;
  const float* b = nullptr;
  float* c = nullptr;
};

// Buffers kept between products of similar shapes (fresh large allocations cost page faults).
struct GemmWorkspace {
  PackedPanels packed;
  std::vector<AlignedArray<float>> leftPacks;  // per worker, each allocateLeftPack(leftDepth)
  int64_t leftDepth = 0;                       // never shrinks: gemmBlockDepth(k) is not monotonic in k
};

// Validates sizes and scalars (ERR_INVALID_ARGUMENT, ERR_NOT_FINITE, ERR_TOO_LARGE) and computes.
void gemm(const GemmArgs& args, const kernels::DenseKernels& kernels, ThreadPool& pool, int threads,
          GemmWorkspace& workspace);

}  // namespace heatbath
