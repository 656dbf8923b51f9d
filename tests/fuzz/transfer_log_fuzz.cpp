// The transfer log as `xfer log` reads it: lines another process may have torn or a user edited,
// holding names and paths a peer chose. A line decodes only to a record that encodes to one
// line without a newline or a raw control byte, and decodes back to the same fields; the file
// reader survives any bytes (torn, overlong or NUL-filled lines).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "shared/transfer_log/transfer_log_file.hpp"
#include "shared/transfer_log/transfer_record.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace xfer::transfer_log;

bool same_fields(const transfer_record& a, const transfer_record& b) {
    return a.ended_at == b.ended_at && a.way == b.way && a.peer_id == b.peer_id &&
           a.peer_name == b.peer_name && a.address == b.address && a.path == b.path &&
           a.content == b.content && a.bytes == b.bytes && a.duration == b.duration &&
           a.result == b.result && a.detail == b.detail;
}

void check_line(std::string_view line) {
    const auto record = decode_line(line);
    if (!record) return;
    const std::string encoded = encode_line(*record);
    for (const char c : encoded)
        XFER_FUZZ_CHECK(c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
    const auto again = decode_line(encoded);
    XFER_FUZZ_CHECK(again && same_fields(*again, *record));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = std::min(text.find('\n', start), text.size());
        check_line(text.substr(start, end - start));
        start = end + 1;
    }
    // The same bytes as a whole log file.
    static const std::filesystem::path state =
        std::filesystem::temp_directory_path() / ("xfer-fuzz-log-" + std::to_string(::getpid()));
    std::filesystem::create_directories(state);
    std::ofstream(current_file(state), std::ios::binary | std::ios::trunc)
        .write(text.data(), static_cast<std::streamsize>(text.size()));
    size_t records = 0;
    read_transfer_log(state, [&](const transfer_record&) { ++records; });
    XFER_FUZZ_CHECK(records <= size / 12 + 1);
    return 0;
}
