// Serving a content while it is hashed (docs/PROTOCOL.md, "Streamed manifest"): MANIFEST_HEAD
// with the hashes known when the receiver opens it, then MANIFEST_HASHES as the hashing thread
// makes more, cut to the frame limit and sent only while little is queued for this receiver.
// The last hash goes out only once hashing ended well (the file did not change meanwhile), so a
// receiver never completes a manifest that mixes two versions.
#include "sender/upload_connection.hpp"
#include "shared/core/log.hpp"

namespace xfer::sender {
namespace {

// BITFIELD of the first `known` pieces (a content being hashed is complete on disk: every piece
// hashed is one it can send).
wire::bitfield_msg first_pieces(uint32_t handle, uint32_t piece_count, uint32_t known) {
    wire::bitfield_msg message{handle, piece_count, std::vector<uint8_t>((piece_count + 7) / 8)};
    for (uint32_t piece = 0; piece < known; ++piece)
        message.bits[piece / 8] |= static_cast<uint8_t>(0x80u >> (piece % 8));
    return message;
}

// Hashes that may go out now: all once hashing ended well, else all but the last.
uint32_t sendable(const streamed_manifest& stream) {
    const uint32_t known = stream.known();
    if (stream.finished() && !stream.error()) return known;
    return std::min(known, stream.piece_count() - 1);
}

}  // namespace

void upload_connection::open_streaming(uint32_t handle,
                                       const std::shared_ptr<content_entry>& entry) {
    auto& stream = *entry->streaming;
    handles_[handle] = entry;
    identity_checked_for_.reset();
    if (stream.finished()) {
        if (stream.error()) return end_handle(handle, *entry, stream.error());
        return send_whole_manifest(handle, *entry);
    }
    if (context_.streamer) context_.streamer->start(entry->streaming);
    const auto& hello = session_.remote_hello();
    if (!hello || !(hello->features & wire::hello_feature_manifest_stream)) {
        XLOG_INFO("sender", label_, entry->path << ": hashing it before the manifest goes out");
        hashes_sent_[handle] = waits_for_whole_manifest;
        return;
    }
    // A head leaves at least one hash to follow (the hashing may have ended since it started).
    const uint32_t known = std::min(sendable(stream), stream.piece_count() - 1);
    stream.view_head(known, [&](std::span<const uint8_t> prefix) {
        session_.send(wire::manifest_head_view{handle, known, prefix});
    });
    session_.send(first_pieces(handle, stream.piece_count(), known));
    hashes_sent_[handle] = known;
    XLOG_INFO("sender", label_,
              "serving " << entry->path << " while hashing it (" << known << "/"
                         << stream.piece_count() << " pieces hashed)");
}

std::vector<uint8_t> upload_connection::take_owners(uint32_t handle) {
    const auto it = owners_.find(handle);
    if (it == owners_.end()) return {};
    auto record = std::move(it->second);
    owners_.erase(it);
    return record;
}

void upload_connection::send_whole_manifest(uint32_t handle, const content_entry& entry) {
    const uint32_t pieces = entry.manifest.piece_count();
    const auto owners = take_owners(handle);
    entry.streaming->view_encoding([&](std::span<const uint8_t> encoded) {
        session_.send(wire::manifest_view{handle, encoded, owners});
    });
    session_.send(first_pieces(handle, pieces, pieces));
    XLOG_INFO("sender", label_, "serving " << entry.path << " (" << pieces << " pieces)");
}

void upload_connection::send_streamed_hashes() {
    for (auto it = hashes_sent_.begin(); it != hashes_sent_.end();) {
        const uint32_t handle = it->first;
        const auto found = handles_.find(handle);
        if (found == handles_.end()) {
            it = hashes_sent_.erase(it);
            continue;
        }
        const auto entry = found->second;
        const auto& stream = *entry->streaming;
        if (stream.finished() && stream.error()) {
            ++it;  // end_handle erases it
            end_handle(handle, *entry, stream.error());
            continue;
        }
        if (it->second == waits_for_whole_manifest) {
            if (!stream.finished()) {
                ++it;
                continue;
            }
            send_whole_manifest(handle, *entry);
            it = hashes_sent_.erase(it);
            continue;
        }
        // Bounded like any frame queue: past pause_reading_above_bytes the rest waits.
        const uint32_t limit = sendable(stream);
        while (it->second < limit && session_.queued_frame_bytes() < pause_reading_above_bytes) {
            wire::manifest_hashes_msg message{
                handle, it->second,
                stream.hashes(it->second,
                              std::min<uint32_t>(wire::max_hashes_per_frame, limit - it->second))};
            it->second += static_cast<uint32_t>(message.hashes.size());
            session_.send(message);
        }
        if (it->second == stream.piece_count()) {
            it = hashes_sent_.erase(it);
        } else {
            ++it;
        }
    }
}

bool upload_connection::has_stream_work() const {
    for (const auto& [handle, sent] : hashes_sent_) {
        const auto found = handles_.find(handle);
        if (found == handles_.end()) return true;  // to forget it
        const auto& stream = *found->second->streaming;
        if (stream.finished()) return true;
        if (sent != waits_for_whole_manifest && sent < sendable(stream) &&
            session_.queued_frame_bytes() < pause_reading_above_bytes) {
            return true;
        }
    }
    return false;
}

bool upload_connection::streamed_piece_sent(uint32_t handle, const content_entry& entry,
                                            uint32_t piece) const {
    const auto found = hashes_sent_.find(handle);
    if (found == hashes_sent_.end()) {
        // Every hash was sent (the entry is forgotten only then), or the manifest went whole.
        return entry.streaming->finished() && !entry.streaming->error();
    }
    return found->second != waits_for_whole_manifest && piece < found->second;
}

}  // namespace xfer::sender
