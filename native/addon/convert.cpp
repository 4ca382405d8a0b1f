#include "convert.h"

#include <cmath>
#include <new>

#include "../core/thread_pool.h"

namespace heatbath::addon {

Napi::Error codedError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

void throwCoded(Napi::Env env, const std::string& code, const std::string& message) {
  throw codedError(env, code, message);
}

CodedFailure codedFailure(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return {e.code(), e.what()};
  } catch (const std::bad_alloc&) {
    return {"ERR_TOO_LARGE", "out of memory"};
  } catch (const std::exception& e) {
    return {"ERR_INTERNAL", e.what()};
  } catch (...) {
    return {"ERR_INTERNAL", "unknown error"};
  }
}

Napi::Object argObject(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsObject()) {
    throw Error("ERR_INVALID_ARGUMENT", std::string(name) + " must be an object");
  }
  return info[index].As<Napi::Object>();
}

double argNumber(const Napi::Value& value, const char* name) {
  if (!value.IsNumber())
    throw Error("ERR_INVALID_ARGUMENT", std::string(name) + " must be a number");
  const double x = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(x))
    throw Error("ERR_NOT_FINITE", std::string(name) + " must be finite");
  return x;
}

int64_t argInteger(const Napi::Value& value, const char* name, int64_t min, int64_t max) {
  const double x = argNumber(value, name);
  if (x != std::floor(x) || x < static_cast<double>(min) || x > static_cast<double>(max)) {
    throw Error("ERR_INVALID_ARGUMENT", std::string(name) + " must be an integer in [" + std::to_string(min) + ", " +
                                            std::to_string(max) + "]");
  }
  return static_cast<int64_t>(x);
}

uint64_t argUint64(const Napi::Value& value, const char* name) {
  if (value.IsBigInt()) {
    bool lossless = false;
    const uint64_t x = value.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless)
      throw invalidArgument(std::string(name) + " must fit in 64 bits");
    return x;
  }
  return static_cast<uint64_t>(argInteger(value, name, 0, kMaxSafeInteger));
}

int argThreads(const Napi::Value& value) {
  return value.IsUndefined() ? ThreadPool::hardwareThreads()
                             : static_cast<int>(argInteger(value, "threads", 1, kMaxThreads));
}

bool argBoolean(const Napi::Value& value, const char* name) {
  if (!value.IsBoolean())
    throw invalidArgument(std::string(name) + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

void requireDisjoint(const Napi::TypedArray& a, const char* aName, const Napi::TypedArray& b, const char* bName) {
  const auto* a0 = static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  const auto* b0 = static_cast<const uint8_t*>(b.ArrayBuffer().Data()) + b.ByteOffset();
  if (a0 < b0 + b.ByteLength() && b0 < a0 + a.ByteLength() && a.ByteLength() > 0 && b.ByteLength() > 0) {
    throw invalidArgument(std::string(aName) + " and " + bName + " must not share memory");
  }
}

BetaSchedule argBetaSchedule(const Napi::Value& value, int64_t sweeps) {
  if (!value.IsArray() || value.As<Napi::Array>().Length() != 4) {
    throw Error("ERR_INVALID_ARGUMENT", "beta must be [program, table, first, total]");
  }
  const Napi::Array beta = value.As<Napi::Array>();
  auto program = argArray<double>(beta.Get(0u), "beta program");
  std::vector<float> table;
  if (!beta.Get(1u).IsUndefined()) {
    auto values = argArray<float>(beta.Get(1u), "beta table", sweeps);
    table.assign(values.Data(), values.Data() + values.ElementLength());
  }
  const int64_t first = argInteger(beta.Get(2u), "beta first sweep", 0, kMaxSweeps);
  if (!beta.Get(3u).IsNumber())
    throw Error("ERR_INVALID_ARGUMENT", "beta total must be a number");
  const double total = beta.Get(3u).As<Napi::Number>().DoubleValue();
  return BetaSchedule(program.Data(), static_cast<int64_t>(program.ElementLength()), std::move(table), first, total,
                      sweeps);
}

}  // namespace heatbath::addon
