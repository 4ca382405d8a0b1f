// The dense engine's stateless calls: gemm and the RBM layer conditionals.
#pragma once
#include <napi.h>

namespace heatbath::addon {

// gemm(transA, transB, m, n, k, alpha, a, b, beta, c, threads?)
Napi::Value Gemm(const Napi::CallbackInfo& info);
// rbmConditional(direction, rows, weights, numVisible, numHidden, bias, input, beta, probOut, sampleOut,
//                seed, stream, threads?, path?)
Napi::Value RbmConditional(const Napi::CallbackInfo& info);

}  // namespace heatbath::addon
