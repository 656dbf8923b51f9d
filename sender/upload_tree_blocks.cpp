// A tree's blocks. One of a great many small files is read a part at a time (docs/ARCHITECTURE.md,
// "The sender"). A block of one-byte files is 262,144 files to open, check and read: done at once
// on the loop thread it held every receiver of this sender for seconds, and the receiver that asked
// for it saw no byte of it for longer than its stall limit (issue 11: a cold fetch of a
// 1,000,000-file tree stalled at the default 10 s). Read files_per_part files at a time, one part
// per pass of the loop, its bytes sent as they are read, the receiver sees its block arrive and
// every other connection is served between two parts.
#include <unistd.h>

#include <cerrno>

#include "sender/upload_connection.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"

namespace xfer::sender {
namespace {

// Files opened and read per part: a few milliseconds of the loop (~10 us a file here), and at
// least 16 KiB of a block per 10 s stall period unless a file takes over half a millisecond.
constexpr uint32_t files_per_part = 256;

// The bytes of `ranges` appended to `out`: a range already read is copied, a long one (still a
// descriptor, kept for sendfile) read now.
std::error_code append_ranges(std::span<const net::file_range> ranges, std::vector<uint8_t>& out) {
    for (const auto& range : ranges) {
        if (range.data != nullptr) {
            out.insert(out.end(), range.data, range.data + range.length);
            continue;
        }
        const size_t start = out.size();
        out.resize(start + range.length);
        for (uint32_t got = 0; got < range.length;) {
            const ssize_t n = ::pread(range.fd, out.data() + start + got, range.length - got,
                                      static_cast<off_t>(range.offset + got));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return last_system_error();
            if (n == 0) return errc::content_changed;  // shorter than its entry says
            got += static_cast<uint32_t>(n);
        }
    }
    return {};
}

}  // namespace

// A block of a few files goes out as one range per file (block_ranges.hpp); one of more than
// files_per_part files is read a part at a time.
bool upload_connection::queue_tree_block(const wire::request& request,
                                         const std::shared_ptr<content_entry>& entry) {
    if (entry->files->bytes_in_files(request.piece, request.offset, request.length,
                                     files_per_part) < request.length) {
        start_filling(request, entry);
        return true;
    }
    ranges_.clear();
    if (auto ec =
            entry->files->read_ranges(request.piece, request.offset, request.length, ranges_)) {
        end_handle(request.handle, *entry, ec);
        return false;
    }
    session_.send_piece({request.handle, request.piece, request.offset}, request.length, ranges_);
    return true;
}

void upload_connection::start_filling(const wire::request& request,
                                      const std::shared_ptr<content_entry>& entry) {
    filling_ = block_filling{request, entry, std::make_shared<net::filling_bytes>(request.length)};
    session_.send_piece({request.handle, request.piece, request.offset}, filling_->bytes);
    fill_next_part();  // the header leaves with data behind it
}

void upload_connection::fill_next_part() {
    auto& [request, entry, filling] = *filling_;
    auto& bytes = filling->bytes;
    const auto done = static_cast<uint32_t>(bytes.size());
    const uint32_t part = entry->files->bytes_in_files(request.piece, request.offset + done,
                                                       request.length - done, files_per_part);
    ranges_.clear();
    auto ec = part == 0
                  ? make_error_code(errc::content_changed)
                  : entry->files->read_ranges(request.piece, request.offset + done, part, ranges_);
    if (!ec) ec = append_ranges(ranges_, bytes);
    ranges_.clear();  // no file stays open behind a part
    if (ec) {
        // The header is out: the frame is completed with zeros (the receiver's verification
        // rejects the piece), and the ERROR behind it ends the handle.
        bytes.resize(filling->length);
        if (handles_.contains(request.handle)) {
            end_handle(request.handle, *entry, ec);
        } else {
            XLOG_INFO("sender", label_, entry->path << ": " << ec.message());
        }
    }
    if (filling->complete()) filling_.reset();
}

}  // namespace xfer::sender
