// Portable multispin kernel: a block as eight 64-bit words.
#include <cstring>

#include "multispin_sweep.h"

namespace heatbath::kernels {

namespace {

struct Words {
  uint64_t w[kBlockWords];

  static Words load(const uint64_t* p) {
    Words v;
    std::memcpy(v.w, p, sizeof v.w);
    return v;
  }
  void store(uint64_t* p) const { std::memcpy(p, w, sizeof w); }
  static Words splat(uint64_t x) {
    Words v;
    for (uint64_t& e : v.w)
      e = x;
    return v;
  }
  static Words zero() { return splat(0); }
  static Words ones() { return splat(~uint64_t{0}); }
  template <class F>
  friend Words each(const Words& a, const Words& b, const Words& c, F f) {
    Words v;
    for (int k = 0; k < kBlockWords; ++k)
      v.w[k] = f(a.w[k], b.w[k], c.w[k]);
    return v;
  }
  friend Words operator^(const Words& a, const Words& b) {
    return each(a, b, b, [](uint64_t x, uint64_t y, uint64_t) { return x ^ y; });
  }
  friend Words operator&(const Words& a, const Words& b) {
    return each(a, b, b, [](uint64_t x, uint64_t y, uint64_t) { return x & y; });
  }
  friend Words operator|(const Words& a, const Words& b) {
    return each(a, b, b, [](uint64_t x, uint64_t y, uint64_t) { return x | y; });
  }
  friend Words xor3(const Words& a, const Words& b, const Words& c) {
    return each(a, b, c, [](uint64_t x, uint64_t y, uint64_t z) { return x ^ y ^ z; });
  }
  friend Words maj(const Words& a, const Words& b, const Words& c) {
    return each(a, b, c, [](uint64_t x, uint64_t y, uint64_t z) { return (x & y) | (z & (x ^ y)); });
  }
  friend Words mux(const Words& s, const Words& a, const Words& b) {
    return each(s, a, b, [](uint64_t x, uint64_t y, uint64_t z) { return (x & y) | (~x & z); });
  }
  friend Words stepAtLeast(const Words& t, const Words& p, const Words& g) {
    return each(t, p, g, [](uint64_t x, uint64_t y, uint64_t z) { return (x & y & z) | (~x & (y | z)); });
  }
  friend Words notAnd(const Words& a, const Words& b) {
    return each(a, b, b, [](uint64_t x, uint64_t y, uint64_t) { return ~x & y; });
  }
};

struct ScalarGen {
  BlockRng state;
  explicit ScalarGen(const BlockRng& r) : state(r) {}
  Words next() {
    Words v;
    stepBlockRng(state, v.w);
    return v;
  }
  void store(BlockRng& r) const { r = state; }
};

}  // namespace

void multispinSweepsScalar(const MultispinModel& m, const MultispinAccept& a, const MultispinBlock& b, int sweeps) {
  multispinSweeps<Words, ScalarGen>(m, a, b, sweeps);
}

}  // namespace heatbath::kernels
