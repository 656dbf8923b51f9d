// A scripted net::stream for driving the frame reader and the send queue without sockets: it
// hands out its input in chunks as small as one byte, says would_block in between, closes or
// fails at the end, and records what is written to it (libtorrent's simulation/fake_peer.hpp
// in miniature). Everything it does is decided by its settings and seed, never by time.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <system_error>
#include <vector>

#include "shared/net/stream.hpp"

namespace xfer::test {

class fake_stream final : public net::stream {
  public:
    explicit fake_stream(uint64_t seed = 1) : generator_(seed) {}

    // --- input, handed out by read_some ---
    std::vector<uint8_t> input;
    size_t max_read_chunk = std::numeric_limits<size_t>::max();
    bool random_read_chunks = false;  // chunk sizes uniform in [1, max_read_chunk]
    bool would_block_between_reads =
        false;                     // every read that gave bytes is followed by a would_block
    bool close_at_end = false;     // once input is used up: orderly close (else would_block)
    std::error_code error_at_end;  // once input is used up: this error (wins over close)

    size_t read_calls = 0;      // read_some calls, including would_block answers
    size_t input_position = 0;  // bytes handed out so far
    size_t largest_read_request = 0;

    // --- output, filled by write_some and send_file ---
    std::vector<uint8_t> output;
    size_t max_write_chunk = std::numeric_limits<size_t>::max();
    bool random_write_chunks = false;
    bool would_block_between_writes = false;
    std::error_code write_error;   // returned by every write once set
    std::vector<bool> more_flags;  // `more` of each write_some call that accepted bytes
    size_t send_file_calls = 0;

    // The identity the transport "proved" (a TLS stream's peer certificate key); set
    // authenticated = false to play a stream that proves none, as plain TCP would.
    identity::peer_id peer{};
    bool authenticated = true;

    // What export_keying_material gives (a TLS exporter's output); unset: the transport has
    // none, as a plaintext stream.
    std::optional<std::array<uint8_t, 32>> exporter;

    int fd() const override { return -1; }
    bool export_keying_material(std::string_view, std::span<uint8_t> out) const override {
        if (!exporter || out.size() != exporter->size()) return false;
        std::copy(exporter->begin(), exporter->end(), out.begin());
        return true;
    }
    const identity::peer_id* verified_peer() const override {
        return authenticated ? &peer : nullptr;
    }

    net::io_result read_some(std::span<uint8_t> into) override {
        ++read_calls;
        largest_read_request = std::max(largest_read_request, into.size());
        net::io_result result;
        if (input_position == input.size()) {
            if (error_at_end)
                result.error = error_at_end;
            else if (close_at_end)
                result.closed = true;
            else
                result.would_block = true;
            return result;
        }
        if (would_block_between_reads && block_next_read_) {
            block_next_read_ = false;
            result.would_block = true;
            return result;
        }
        const size_t count = std::min({into.size(), input.size() - input_position,
                                       chunk(max_read_chunk, random_read_chunks)});
        std::memcpy(into.data(), input.data() + input_position, count);
        input_position += count;
        block_next_read_ = true;
        result.bytes = count;
        return result;
    }

    net::io_result write_some(std::span<const uint8_t> from, bool more) override {
        net::io_result result;
        if (!admit_write(result)) return result;
        const size_t count = std::min(from.size(), chunk(max_write_chunk, random_write_chunks));
        output.insert(output.end(), from.begin(), from.begin() + static_cast<long>(count));
        if (count > 0) more_flags.push_back(more);
        result.bytes = count;
        if (count < from.size()) result.would_block = true;
        return result;
    }

    net::io_result send_file(int file_fd, uint64_t offset, size_t length, bool /*more*/) override {
        ++send_file_calls;
        net::io_result result;
        if (!admit_write(result)) return result;
        std::vector<uint8_t> buffer(std::min(length, chunk(max_write_chunk, random_write_chunks)));
        const ssize_t got =
            ::pread(file_fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
        if (got < 0) {
            result.error = {errno, std::system_category()};
            return result;
        }
        output.insert(output.end(), buffer.begin(), buffer.begin() + got);
        result.bytes = static_cast<size_t>(got);
        if (result.bytes < length) result.would_block = true;
        return result;
    }

  private:
    size_t chunk(size_t limit, bool random) {
        if (!random || limit == std::numeric_limits<size_t>::max()) return limit;
        return std::uniform_int_distribution<size_t>(1, limit)(generator_);
    }
    bool admit_write(net::io_result& result) {
        if (write_error) {
            result.error = write_error;
            return false;
        }
        if (would_block_between_writes && block_next_write_) {
            block_next_write_ = false;
            result.would_block = true;
            return false;
        }
        block_next_write_ = true;
        return true;
    }

    std::mt19937_64 generator_;
    bool block_next_read_ = false;
    bool block_next_write_ = false;
};

}  // namespace xfer::test
