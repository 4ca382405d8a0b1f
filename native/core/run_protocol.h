// The engines' run protocol across the addon boundary, named once on the native side: the bits of a
// run's `observe` argument and the slots of its result array. lib/ names the same numbers (OBSERVE_*
// and NativeRunResult for Gibbs runs, the Langevin observables and NativeLangevinResult).
#pragma once
#include <cstdint>

namespace heatbath {

// Sparse Gibbs runs (float and quantized chains).
namespace gibbs_run {
constexpr int kObserveStates = 1;
constexpr int kObserveMoments = 2;
constexpr int kObserveEnergy = 4;
constexpr int kObserveMagnetization = 8;
constexpr int kObserveChainMeans = 16;
constexpr int kObserveMeanFieldPairs = 32;
constexpr int kObserveAll = 63;
// [states, mean, pairMean, energy, magnetization, sweeps, seconds, chainMeans, pairMeanField]
enum Slot : uint32_t {
  kStates,
  kMean,
  kPairMean,
  kEnergy,
  kMagnetization,
  kSweeps,
  kSeconds,
  kChainMeans,
  kPairMeanField,
  kSlots
};
}  // namespace gibbs_run

// Langevin runs.
namespace langevin_run {
constexpr int kObserveTrajectory = 1;
constexpr int kObserveEnergy = 2;
constexpr int kObserveHeat = 4;
constexpr int kObserveMoments = 8;
constexpr int kObserveVelocities = 16;
constexpr int kObserveAll = 31;
// [trajectory, velocities, energy, heat, mean, meanSquare, samples, momentSteps, seconds]
enum Slot : uint32_t {
  kTrajectory,
  kVelocities,
  kEnergy,
  kHeat,
  kMean,
  kMeanSquare,
  kSamples,
  kMomentSteps,
  kSeconds,
  kSlots
};
}  // namespace langevin_run

}  // namespace heatbath
