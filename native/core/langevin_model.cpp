#include "langevin_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "checks.h"
#include "error.h"
#include "limits.h"
#include "memory.h"
#include "rbm_conditional.h"

namespace heatbath {

namespace {

constexpr int64_t kRowPad = 16;
static_assert(kMaxLangevinUnits + kRowPad <= INT32_MAX, "padded rows keep int32 indices");

// out[:, 0..b.n) (+)= x[:, 0..b.k) B for `rows` rows, x and out with row stride ld.
void multiplyInto(const float* x, int64_t rows, int64_t ld, const PackedPanels& b, bool overwrite, float* out,
                  const kernels::DenseKernels& kernels) {
  if (b.width != kernels.panelWidth)
    throw Error("ERR_INTERNAL", "coupling panels are not laid out for these kernels");
  const LeftOperand left{x, false, rows, b.k, ld};
  multiplyRows(left, 0, rows, b, 0, b.panels, 1.0f, overwrite ? 0.0f : 1.0f, out, ld, b.n, nullptr, kernels);
}

void requireRange(int64_t start, int64_t count, int64_t n, const char* what) {
  if (count < 1 || start < 0 || start + count > n) {
    throw invalidArgument(std::string(what) + " [" + std::to_string(start) + ", " + std::to_string(start + count) +
                          ") must be a non-empty range of units in [0, " + std::to_string(n) + ")");
  }
}

}  // namespace

LangevinModel::LangevinModel(int64_t numUnits) : n_(numUnits) {
  if (numUnits < 1 || numUnits > kMaxLangevinUnits) {
    throw invalidArgument("numUnits must be in [1, 2^31 - 16), got " + std::to_string(numUnits));
  }
  ld_ = (numUnits + kRowPad - 1) / kRowPad * kRowPad;
  a_.assign(ld_, 0.0f);
  c_.assign(ld_, 0.0f);
  h_.assign(ld_, 0.0f);
  mass_.assign(ld_, 1.0f);
  std::fill(a_.begin(), a_.begin() + n_, 1.0f);
  clearCouplings();
}

void LangevinModel::setOnsite(const float* a, const float* c, const float* h, const float* mass) {
  requireFinite(a, n_, "quadratic coefficients");
  requireFinite(c, n_, "quartic coefficients");
  requireFinite(h, n_, "biases");
  requireFinite(mass, n_, "masses");
  for (int64_t i = 0; i < n_; ++i) {
    if (!(mass[i] > 0.0f))
      throw invalidArgument("masses must be > 0; mass " + std::to_string(i) + " is " + std::to_string(mass[i]));
  }
  std::copy(a, a + n_, a_.begin());
  std::copy(c, c + n_, c_.begin());
  std::copy(h, h + n_, h_.begin());
  std::copy(mass, mass + n_, mass_.begin());
}

void LangevinModel::clearCouplings() {
  blocks_.clear();
  written_.assign(ld_, 0);
  cleared_.assign(1, {0, ld_});
  rowPtr_.clear();
  cols_.clear();
  sparseValues_.clear();
}

void LangevinModel::addBlock(int64_t rowStart, int64_t rows, int64_t colStart, int64_t cols, const float* weights,
                             ThreadPool& pool, int threads) {
  requireRange(rowStart, rows, n_, "block rows");
  requireRange(colStart, cols, n_, "block columns");
  const bool diagonal = rowStart == colStart && rows == cols;
  if (!diagonal && rowStart < colStart + cols && colStart < rowStart + rows) {
    throw invalidArgument("a coupling block's row and column ranges must be disjoint or identical");
  }
  requireFinite(weights, rows * cols, "block weights");
  if (diagonal) {
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = i + 1; j < cols; ++j) {
        if (weights[i * cols + j] != weights[j * cols + i]) {
          throw invalidArgument("a block on one range of units must be symmetric; entries (" + std::to_string(i) +
                                ", " + std::to_string(j) + ") and (" + std::to_string(j) + ", " + std::to_string(i) +
                                ") differ");
        }
      }
    }
  }
  CouplingBlock block{rowStart, rows, colStart, cols, diagonal, {}, {}, false, false};
  // A product whose output range no earlier one touched stores; the others add to cleared or stored values.
  auto claim = [&](int64_t start, int64_t count) {
    char* range = written_.data() + start;
    const bool first = std::all_of(range, range + count, [](char w) { return w == 0; });
    for (int64_t i = 0; i < count; ++i)
      range[i] = first ? 2 : std::max<char>(range[i], 1);
    return first;
  };
  block.rowsFirst = claim(rowStart, rows);
  if (!diagonal)
    block.colsFirst = claim(colStart, cols);
  cleared_.clear();
  for (int64_t i = 0; i < ld_; ++i) {
    if (written_[i] == 2)
      continue;
    if (!cleared_.empty() && cleared_.back().second == i)
      ++cleared_.back().second;
    else
      cleared_.push_back({i, i + 1});
  }
  // Packed for the AVX2/scalar width; usePanelWidth re-lays them out for the kernels of a run.
  constexpr int kInitialWidth = 16;
  packPanels(weights, true, cols, rows, kInitialWidth, block.toRows, pool, threads);
  if (!diagonal)
    packPanels(weights, false, rows, cols, kInitialWidth, block.toCols, pool, threads);
  blocks_.push_back(std::move(block));
}

void LangevinModel::usePanelWidth(int width) {
  for (CouplingBlock& block : blocks_) {
    setPanelWidth(block.toRows, width);
    if (!block.diagonal)
      setPanelWidth(block.toCols, width);
  }
}

void LangevinModel::setSparse(const int32_t* rowPtr, const int32_t* cols, const float* values, int64_t nnz) {
  if (rowPtr[0] != 0 || rowPtr[n_] != nnz)
    throw invalidArgument("rowPtr must start at 0 and end at the entry count");
  for (int64_t i = 0; i < n_; ++i) {
    if (rowPtr[i + 1] < rowPtr[i])
      throw invalidArgument("rowPtr must be non-decreasing");
  }
  requireFinite(values, nnz, "sparse coupling values");
  std::vector<char> seen(static_cast<size_t>(n_), 0);
  for (int64_t i = 0; i < n_; ++i) {
    for (int32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) {
      const int32_t j = cols[k];
      if (j < 0 || j >= n_)
        throw invalidArgument("sparse column " + std::to_string(j) + " is out of range");
      if (seen[j])
        throw invalidArgument("sparse row " + std::to_string(i) + " lists unit " + std::to_string(j) + " twice");
      seen[j] = 1;
      // The mirror entry (j, i) must exist with the same value.
      bool mirrored = false;
      for (int32_t m = rowPtr[j]; m < rowPtr[j + 1] && !mirrored; ++m)
        mirrored = cols[m] == i && values[m] == values[k];
      if (!mirrored) {
        throw invalidArgument("sparse couplings must be symmetric: (" + std::to_string(i) + ", " + std::to_string(j) +
                              ") has no equal entry (" + std::to_string(j) + ", " + std::to_string(i) + ")");
      }
    }
    for (int32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k)
      seen[cols[k]] = 0;
  }
  rowPtr_.assign(rowPtr, rowPtr + n_ + 1);
  cols_.assign(cols, cols + nnz);
  sparseValues_.assign(values, values + nnz);
}

void LangevinModel::couplingProduct(const float* x, int64_t rows, float* out, const kernels::DenseKernels& dense,
                                    kernels::SparseProductFn sparseProduct, float* scratch) const {
  const bool sparseOnly = blocks_.empty() && hasSparse();
  if (!sparseOnly) {
    for (int64_t r = 0; r < rows; ++r) {
      for (const auto& [start, end] : cleared_)
        std::fill(out + r * ld_ + start, out + r * ld_ + end, 0.0f);
    }
  }
  for (const CouplingBlock& b : blocks_) {
    multiplyInto(x + b.colStart, rows, ld_, b.toRows, b.rowsFirst, out + b.rowStart, dense);
    if (!b.diagonal)
      multiplyInto(x + b.rowStart, rows, ld_, b.toCols, b.colsFirst, out + b.colStart, dense);
  }
  if (!hasSparse())
    return;
  const kernels::SparseCouplings j{n_, rowPtr_.data(), cols_.data(), sparseValues_.data()};
  sparseProduct(j, x, rows, ld_, !sparseOnly, out, scratch);
}

double LangevinModel::energy(const float* x, const float* product, const float* field, float couplingScale,
                             float fieldScale) const {
  double u = 0.0;
  for (int64_t i = 0; i < n_; ++i) {
    const double xi = x[i], x2 = xi * xi;
    double hi = h_[i];
    if (field != nullptr)
      hi += static_cast<double>(fieldScale) * field[i];
    u += 0.5 * a_[i] * x2 + 0.25 * c_[i] * x2 * x2 - hi * xi - 0.5 * couplingScale * xi * product[i];
  }
  return u;
}

int64_t LangevinModel::memoryBytes() const {
  int64_t bytes = vectorBytes(a_, c_, h_, mass_, blocks_, written_, cleared_, rowPtr_, cols_, sparseValues_);
  for (const CouplingBlock& b : blocks_)
    bytes += (b.toRows.capacity + b.toCols.capacity) * static_cast<int64_t>(sizeof(float));
  return bytes;
}

}  // namespace heatbath
