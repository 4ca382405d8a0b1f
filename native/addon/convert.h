// Argument checks and conversions shared by the wrappers. The TypeScript layer validates first;
// these checks are the second line, so a bad call from plain JS still gets a coded error.
#pragma once
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/beta_schedule.h"
#include "../core/error.h"
#include "../core/limits.h"

namespace heatbath::addon {

// A JS Error whose `code` is the core error's code (the TypeScript layer makes it a HeatbathError).
Napi::Error codedError(Napi::Env env, const std::string& code, const std::string& message);
[[noreturn]] void throwCoded(Napi::Env env, const std::string& code, const std::string& message);

// The one mapping from a C++ exception to a HeatbathError code: the core's Error keeps its code,
// running out of memory is ERR_TOO_LARGE, anything else ERR_INTERNAL.
struct CodedFailure {
  std::string code, message;
};
CodedFailure codedFailure(std::exception_ptr error);

// Thrown on the JS thread when its environment is shutting down (a worker being terminated, the
// process exiting) during a native call: the call returns without touching JS values.
struct EnvironmentStopping {};

// Runs `body`, turning C++ exceptions into coded JS exceptions (codedFailure).
template <typename Body>
auto guarded(Napi::Env env, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const EnvironmentStopping&) {
    return decltype(body())();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    const CodedFailure failure = codedFailure(std::current_exception());
    throwCoded(env, failure.code, failure.message);
  }
}

Napi::Object argObject(const Napi::CallbackInfo& info, size_t index, const char* name);
int64_t argInteger(const Napi::Value& value, const char* name, int64_t min, int64_t max);
double argNumber(const Napi::Value& value, const char* name);
// A seed-like integer: a number in [0, 2^53) or a bigint in [0, 2^64).
uint64_t argUint64(const Napi::Value& value, const char* name);
// A thread count in [1, kMaxThreads]; undefined: every hardware thread.
int argThreads(const Napi::Value& value);
bool argBoolean(const Napi::Value& value, const char* name);
// Throws ERR_INVALID_ARGUMENT if the two arrays share memory.
void requireDisjoint(const Napi::TypedArray& a, const char* aName, const Napi::TypedArray& b, const char* bName);
// A β schedule for `sweeps` sweeps from its JS description [program: Float64Array, table: Float32Array |
// undefined, first: number, total: number] (see core/beta_schedule.h).
BetaSchedule argBetaSchedule(const Napi::Value& value, int64_t sweeps);

template <typename T>
constexpr napi_typedarray_type typedArrayTypeOf() {
  if constexpr (std::is_same_v<T, int8_t>)
    return napi_int8_array;
  if constexpr (std::is_same_v<T, uint8_t>)
    return napi_uint8_array;
  if constexpr (std::is_same_v<T, int32_t>)
    return napi_int32_array;
  if constexpr (std::is_same_v<T, uint32_t>)
    return napi_uint32_array;
  if constexpr (std::is_same_v<T, float>)
    return napi_float32_array;
  if constexpr (std::is_same_v<T, double>)
    return napi_float64_array;
}

constexpr const char* typedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
      return "Int8Array";
    case napi_uint8_array:
      return "Uint8Array";
    case napi_int32_array:
      return "Int32Array";
    case napi_uint32_array:
      return "Uint32Array";
    case napi_float32_array:
      return "Float32Array";
    case napi_float64_array:
      return "Float64Array";
    default:
      return "typed array";
  }
}

// A typed array of exactly `length` elements (length < 0: any length) of element type T.
template <typename T>
Napi::TypedArrayOf<T> argArray(const Napi::Value& value, const char* name, int64_t length = -1) {
  if (!value.IsTypedArray()) {
    throw Error("ERR_INVALID_ARGUMENT", std::string(name) + " must be a " + typedArrayName(typedArrayTypeOf<T>()));
  }
  if (value.As<Napi::TypedArray>().TypedArrayType() != typedArrayTypeOf<T>()) {
    throw Error("ERR_INVALID_ARGUMENT", std::string(name) + " must be a " + typedArrayName(typedArrayTypeOf<T>()));
  }
  auto array = value.As<Napi::TypedArrayOf<T>>();
  if (length >= 0 && static_cast<int64_t>(array.ElementLength()) != length) {
    throw Error("ERR_INVALID_ARGUMENT", std::string(name) + " must have " + std::to_string(length) + " elements, got " +
                                            std::to_string(array.ElementLength()));
  }
  return array;
}

// Hands a vector's storage to JS: large arrays without copying (an external buffer), small ones
// copied into a plain JS array, which is cheaper than registering a finalizer.
template <typename T>
Napi::TypedArrayOf<T> toTypedArray(Napi::Env env, std::vector<T>&& values) {
  constexpr size_t kCopyBelowBytes = 64 * 1024;
  if (values.size() * sizeof(T) < kCopyBelowBytes) {
    auto array = Napi::TypedArrayOf<T>::New(env, values.size());
    if (!values.empty())
      std::memcpy(array.Data(), values.data(), values.size() * sizeof(T));
    return array;
  }
  auto* owned = new std::vector<T>(std::move(values));
  const size_t count = owned->size();
  auto buffer = Napi::ArrayBuffer::New(
      env, owned->empty() ? nullptr : owned->data(), count * sizeof(T),
      [](Napi::Env, void*, std::vector<T>* hint) { delete hint; }, owned);
  return Napi::TypedArrayOf<T>::New(env, count, buffer, 0);
}

}  // namespace heatbath::addon
