// The potential of a Langevin network of N continuous units:
//
//   U(x) = sum_i (a_i/2 x_i^2 + c_i/4 x_i^4 - h_i x_i) - s/2 x^T J x - fs sum_i f_i x_i
//
// J is symmetric, built from dense blocks and a sparse (CSR) part: a block between the disjoint unit
// ranges R and C with weights W (|R| x |C|) adds -x_R^T W x_C (both J_RC = W and J_CR = W^T); a
// block on one range R (symmetric W) adds -1/2 x_R^T W x_R. The force is -grad U = s Jx - a x - c x^3
// + h + fs f. s (coupling scale), fs and the per-chain field f belong to the run (protocols).
//
// Rows of states are padded to ld = roundUp(N, 16) floats; padded entries of a, c, h are zero.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "../kernels/dense/dense_kernel.h"
#include "../kernels/langevin/langevin_kernel.h"
#include "gemm.h"
#include "thread_pool.h"

namespace heatbath {

struct CouplingBlock {
  int64_t rowStart, rows, colStart, cols;
  bool diagonal;        // one range, symmetric W
  PackedPanels toRows;  // B = W^T (K = cols, n = rows): P_R += x_C W^T
  PackedPanels toCols;  // B = W   (K = rows, n = cols): P_C += x_R W (disjoint blocks only)
  // The product is the first to write its output range, so it stores instead of adding (no clearing pass).
  bool rowsFirst, colsFirst;
};

class LangevinModel {
 public:
  explicit LangevinModel(int64_t numUnits);

  int64_t numUnits() const { return n_; }
  int64_t stride() const { return ld_; }

  // a, c, h, mass: N values each, finite; mass > 0.
  void setOnsite(const float* a, const float* c, const float* h, const float* mass);
  void clearCouplings();
  void addBlock(int64_t rowStart, int64_t rows, int64_t colStart, int64_t cols, const float* weights, ThreadPool& pool,
                int threads);
  // CSR: rowPtr N + 1 entries, cols/values nnz entries; symmetric, no duplicates, no self-loops needed.
  void setSparse(const int32_t* rowPtr, const int32_t* cols, const float* values, int64_t nnz);
  bool hasCouplings() const { return !blocks_.empty() || !sparseValues_.empty(); }
  bool hasSparse() const { return !sparseValues_.empty(); }

  // Re-lays the packed blocks out for kernels reading panels of `width` columns (no-op if they are).
  void usePanelWidth(int width);
  // out (rows x ld) = J x for rows of x (stride ld). With sparse couplings, scratch holds
  // ld * kSparseChains floats, 32-byte aligned (one buffer per thread).
  void couplingProduct(const float* x, int64_t rows, float* out, const kernels::DenseKernels& dense,
                       kernels::SparseProductFn sparseProduct, float* scratch) const;

  // U of one row given its product P = Jx; field may be null.
  double energy(const float* x, const float* product, const float* field, float couplingScale, float fieldScale) const;

  int64_t memoryBytes() const;  // parameters and packed couplings

  const float* a() const { return a_.data(); }
  const float* c() const { return c_.data(); }
  const float* h() const { return h_.data(); }
  const float* mass() const { return mass_.data(); }

 private:
  int64_t n_, ld_;
  std::vector<float> a_, c_, h_, mass_;
  std::vector<CouplingBlock> blocks_;
  // Per unit of a row: 1 if some block product writes it, 2 if the first such product stores its value.
  std::vector<char> written_;
  std::vector<std::pair<int64_t, int64_t>> cleared_;  // ranges of [0, ld) not stored by a first product
  std::vector<int32_t> rowPtr_, cols_;
  std::vector<float> sparseValues_;
};

}  // namespace heatbath
