// measureCeiling({ threads?, seconds? }): this machine's peak multiply-add throughput, measured
// now, so benchmark figures can be read as ratios to it.
#pragma once
#include <napi.h>

namespace heatbath::addon {

Napi::Value MeasureCeiling(const Napi::CallbackInfo& info);

}  // namespace heatbath::addon
