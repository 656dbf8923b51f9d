// A resume state file and its piece journal as found on disk (possibly torn or tampered with):
// decoding either never crashes, and a journal yields only pieces below the count asked for.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "shared/store/resume_state.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (const auto state = xfer::decode_resume_state(std::span<const uint8_t>(data, size))) {
        const auto again = xfer::decode_resume_state(xfer::encode_resume_state(*state));
        XFER_FUZZ_CHECK(again && again->path == state->path && again->bitfield == state->bitfield &&
                        again->encoded_manifest == state->encoded_manifest);
    }
    if (size < 4) return 0;
    // Journal: the first four bytes choose the piece count, the rest is the file.
    const uint32_t piece_count =
        (uint32_t{data[0]} << 24 | uint32_t{data[1]} << 16 | uint32_t{data[2]} << 8 | data[3]) %
        100000;
    static const std::string path = "/tmp/xfer-fuzz-journal-" + std::to_string(::getpid());
    if (std::FILE* file = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data + 4, 1, size - 4, file);
        std::fclose(file);
        for (const auto piece : xfer::piece_journal::read(path, piece_count))
            XFER_FUZZ_CHECK(piece < piece_count);
        std::remove(path.c_str());
    }
    return 0;
}
