// AVX-512 multispin kernel: a block is one register; the adders, multiplexers and comparisons are
// single VPTERNLOG instructions.
#include <immintrin.h>

#include "multispin_sweep.h"

namespace heatbath::kernels {

namespace {

struct Zmm {
  __m512i v;

  static Zmm load(const uint64_t* p) { return {_mm512_loadu_si512(p)}; }
  void store(uint64_t* p) const { _mm512_storeu_si512(p, v); }
  static Zmm splat(uint64_t x) { return {_mm512_set1_epi64(static_cast<long long>(x))}; }
  static Zmm zero() { return {_mm512_setzero_si512()}; }
  static Zmm ones() { return {_mm512_set1_epi64(-1)}; }
  friend Zmm operator^(Zmm a, Zmm b) { return {_mm512_xor_si512(a.v, b.v)}; }
  friend Zmm operator&(Zmm a, Zmm b) { return {_mm512_and_si512(a.v, b.v)}; }
  friend Zmm operator|(Zmm a, Zmm b) { return {_mm512_or_si512(a.v, b.v)}; }
  friend Zmm notAnd(Zmm a, Zmm b) { return {_mm512_andnot_si512(a.v, b.v)}; }
  // Truth tables over (a, b, c) = (0xF0, 0xCC, 0xAA).
  friend Zmm xor3(Zmm a, Zmm b, Zmm c) { return {_mm512_ternarylogic_epi64(a.v, b.v, c.v, 0x96)}; }
  friend Zmm maj(Zmm a, Zmm b, Zmm c) { return {_mm512_ternarylogic_epi64(a.v, b.v, c.v, 0xE8)}; }
  // g first, so the result lands in g's register and t can be a broadcast memory operand.
  friend Zmm stepAtLeast(Zmm t, Zmm p, Zmm g) { return {_mm512_ternarylogic_epi64(g.v, p.v, t.v, 0xD4)}; }
  friend Zmm mux(Zmm s, Zmm a, Zmm b) { return {_mm512_ternarylogic_epi64(s.v, a.v, b.v, 0xCA)}; }
};

struct Avx512Gen {
  __m512i s0, s1, s2, s3;
  explicit Avx512Gen(const BlockRng& r)
      : s0(_mm512_load_si512(r.s[0])),
        s1(_mm512_load_si512(r.s[1])),
        s2(_mm512_load_si512(r.s[2])),
        s3(_mm512_load_si512(r.s[3])) {}
  // xoshiro128+ with its xors fused: 7 instructions per plane.
  Zmm next() {
    const __m512i result = _mm512_add_epi32(s0, s3);
    const __m512i t = _mm512_slli_epi32(s1, 9);
    const __m512i s3x = _mm512_xor_si512(s3, s1);                     // s3 ^ s1
    const __m512i s1n = _mm512_ternarylogic_epi32(s1, s2, s0, 0x96);  // s1 ^ s2 ^ s0
    const __m512i s0n = _mm512_xor_si512(s0, s3x);                    // s0 ^ s3 ^ s1
    s2 = _mm512_ternarylogic_epi32(s2, s0, t, 0x96);                  // s2 ^ s0 ^ t
    s1 = s1n;
    s0 = s0n;
    s3 = _mm512_rol_epi32(s3x, 11);
    return {result};
  }
  void store(BlockRng& r) const {
    _mm512_store_si512(r.s[0], s0);
    _mm512_store_si512(r.s[1], s1);
    _mm512_store_si512(r.s[2], s2);
    _mm512_store_si512(r.s[3], s3);
  }
};

}  // namespace

void multispinSweepsAvx512(const MultispinModel& m, const MultispinAccept& a, const MultispinBlock& b, int sweeps) {
  multispinSweeps<Zmm, Avx512Gen>(m, a, b, sweeps);
}

}  // namespace heatbath::kernels
