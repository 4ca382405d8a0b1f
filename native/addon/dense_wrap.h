// The dense engine's stateless calls: gemm and the RBM layer conditionals.
#pragma once
#include <napi.h>

namespace heatbath::addon {

// gemm(transA, transB, m, n, k, alpha, a, b, beta, c, threads?)
Napi::Value Gemm(const Napi::CallbackInfo& info);
// rbmConditional(direction, rows, weights, numVisible, numHidden, bias, input, beta, probOut, sampleOut,
//                seed, stream, threads?, path?)
Napi::Value RbmConditional(const Napi::CallbackInfo& info);

// Throws ERR_INVALID_ARGUMENT if the two arrays share memory.
void requireDisjoint(const Napi::TypedArray& a, const char* aName, const Napi::TypedArray& b, const char* bName);
// A seed-like integer: a number in [0, 2^53) or a bigint in [0, 2^64).
uint64_t argUint64(const Napi::Value& value, const char* name);

}  // namespace heatbath::addon
