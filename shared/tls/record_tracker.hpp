// Where the ciphertext read from a socket stands in TLS's record framing (RFC 8446 5.1: a
// 5-byte header whose last two bytes are the length of the body that follows), so a reader that
// would block knows how many more bytes the record it is in needs before OpenSSL can open it.
//
// Why: OpenSSL can decrypt nothing of a record until all of it is in, yet every TCP segment of
// it (1,448 bytes: a 16 KiB record is 12 of them) makes the socket readable and wakes the loop.
// tls_stream sets SO_RCVLOWAT to what the record still needs, so the loop wakes once when it
// is whole (issue 13: a swarm host's CPU goes per wake-up, not per byte). This counts bytes
// only; it reads no content and checks nothing (OpenSSL does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace xfer::tls {

class record_tracker {
  public:
    static constexpr size_t header_bytes = 5;

    // Ciphertext as it was read from the socket, in order.
    void consumed(std::span<const uint8_t> bytes);
    // Bytes still to come before the current record is complete: 0 at a record boundary, and
    // while the header itself is incomplete (its length is not known yet).
    size_t bytes_to_record_end() const { return header_have_ == header_bytes ? body_left_ : 0; }

  private:
    uint8_t header_[header_bytes] = {};
    size_t header_have_ = 0;  // header bytes of the current record seen; 0 at a boundary
    size_t body_left_ = 0;    // once the header is whole: body bytes not yet seen
};

}  // namespace xfer::tls
