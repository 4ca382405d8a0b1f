// The core reports bad input and failures with an Error carrying a stable code;
// the addon turns it into a JS HeatbathError with the same code.
#pragma once
#include <stdexcept>
#include <string>

namespace heatbath {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

inline Error invalidArgument(const std::string& message) {
  return Error("ERR_INVALID_ARGUMENT", message);
}

}  // namespace heatbath
