// CPace over ristretto255 with SHA-512 (CPace-RISTR255-SHA512, draft-irtf-cfrg-cpace): the
// balanced PAKE that pairing runs, as pure functions. libsodium supplies only the group
// (hash-to-group, scalar multiplication, random scalars); SHA-512 and HMAC come from OpenSSL.
// Names follow the draft so each step can be read beside it; tests/shared/pairing_cpace_test.cpp
// reproduces the draft's published test vectors.
//
//   g  = calculate_generator(PRS, CI, sid)       both sides, from the code and the channel
//   Ya = scalar_mult(ya, g), Yb = scalar_mult(yb, g)   sent in PAIR_INIT / PAIR_REPLY
//   K  = scalar_mult_vfy(ya, Yb) = scalar_mult_vfy(yb, Ya)
//   ISK = isk_initiator_responder(sid, K, Ya, ADa, Yb, ADb)
//   Ta = confirmation_tag(mac_key(sid, ISK), Ya, ADa), Tb likewise with Yb, ADb
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace xfer::pairing::cpace {

using point = std::array<uint8_t, 32>;   // an encoded ristretto255 element
using scalar = std::array<uint8_t, 32>;  // little-endian, below the group order
using key64 = std::array<uint8_t, 64>;   // ISK, mac_key and tags: SHA-512 sized

using bytes = std::span<const uint8_t>;

// The draft's string utilities: LEB128 length prefix, and concatenation of prefixed fields.
void append_prepend_len(std::vector<uint8_t>& out, bytes data);
std::vector<uint8_t> lv_cat(std::initializer_list<bytes> fields);

// generator_string(DSI, PRS, CI, sid, 128): DSI = "CPaceRistretto255", zero padding so that
// DSI and PRS fill SHA-512's first input block.
std::vector<uint8_t> generator_string(bytes prs, bytes ci, bytes sid);
// SHA-512 of the generator string mapped into the group (crypto_core_ristretto255_from_hash).
point calculate_generator(bytes prs, bytes ci, bytes sid);

// A fresh secret scalar (libsodium's CSPRNG).
scalar random_scalar();
// y * X; nullopt when X is not a valid encoding or the result is the identity element: the
// draft's scalar_mult_vfy, which the receiver of a peer's point must use.
std::optional<point> scalar_mult_vfy(const scalar& y, const point& X);

// ISK = SHA-512(lv_cat("CPaceRistretto255_ISK", sid, K) || lv_cat(Ya, ADa) || lv_cat(Yb, ADb)),
// the initiator-responder ordering.
key64 isk_initiator_responder(bytes sid, const point& K, const point& Ya, bytes ADa,
                              const point& Yb, bytes ADb);

// Explicit key confirmation as the draft recommends: mac_key = SHA-512("CPaceMac" || sid ||
// ISK), each party's tag = HMAC-SHA512(mac_key, lv_cat(Y, AD)) over the message it sent.
key64 mac_key(bytes sid, const key64& isk);
key64 confirmation_tag(const key64& mac_key, const point& Y, bytes AD);
// Constant-time comparison of two tags.
bool tags_equal(const key64& a, const key64& b);

}  // namespace xfer::pairing::cpace
