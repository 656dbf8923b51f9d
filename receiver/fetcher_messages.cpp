// What each message from a source (and each join or leave from discovery) means for the fetch,
// and what a verdict on a piece does.
#include <algorithm>

#include "receiver/fetcher.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/store/content_geometry.hpp"

namespace xfer::receiver {

std::error_code fetcher::on_peer_verified(download_connection& from,
                                          const identity::peer_id& peer) {
    const auto verdict = session::judge(request_.check_sender, peer, from.source());
    if (verdict.allowed) return {};
    from.note_refusal(verdict.reason.empty()
                          ? "not the sender expected (peer " + identity::format_peer_id(peer) + ")"
                          : verdict.reason);
    return errc::peer_not_allowed;
}

std::error_code fetcher::on_hello(download_connection& from, const wire::hello& hello) {
    // Connect-back can lead us to ourselves, or to a peer we already pull from.
    if (hello.id == request_.id) return errc::cancelled;
    for (const auto& [key, other] : connections_) {
        if (other.get() != &from && other->remote_id() == hello.id) return errc::cancelled;
    }
    if (const auto peer = from.remote_peer_id()) {
        const auto verdict =
            session::judge_hello(request_.check_sender_hello, *peer, from.source(), hello);
        if (!verdict.allowed) {
            from.note_refusal(verdict.reason);
            return errc::peer_not_allowed;
        }
    }
    sites_.source_met(from.key(), hello.site, hello.id);
    if (scheduler_) scheduler_->sites_changed();
    return {};
}

std::error_code fetcher::on_bitfield(download_connection& from, const wire::bitfield_msg& message) {
    if (!from.manifest_accepted() || !entry_ ||
        message.piece_count != entry_->manifest.piece_count()) {
        return errc::malformed_message;
    }
    std::vector<bool> has(message.piece_count);
    for (uint32_t piece = 0; piece < message.piece_count; ++piece) {
        has[piece] = (message.bits[piece / 8] & (0x80 >> (piece % 8))) != 0;
        // A source announces only pieces whose hash it sent us.
        if (has[piece] && piece >= from.hashes_sent()) return errc::manifest_stream_invalid;
    }
    if (scheduler_) scheduler_->source_has_all(from.key(), has);
    return {};
}

std::error_code fetcher::on_have(download_connection& from, const wire::have& message) {
    if (!from.manifest_accepted() || !entry_ || message.piece >= entry_->manifest.piece_count()) {
        return errc::malformed_message;
    }
    if (message.piece >= from.hashes_sent()) return errc::manifest_stream_invalid;
    if (scheduler_) scheduler_->source_has(from.key(), message.piece);
    return {};
}

std::error_code fetcher::on_error(download_connection& from, const wire::error_msg& message) {
    from.note_refusal(message.text);
    // A refusal of the very thing we asked for, or of us, ends this source; say why (the
    // exit status and whether it is asked again follow from the code).
    switch (static_cast<errc>(message.code)) {
        case errc::not_found:
        case errc::path_escapes_root:
        case errc::peer_not_allowed:
        case errc::sender_busy:
            return std::error_code(static_cast<errc>(message.code));
        default:
            return std::error_code(errc::peer_closed);
    }
}

std::error_code fetcher::on_decline(download_connection& from, const wire::decline_msg& message) {
    if (!scheduler_ || !entry_ || message.piece >= entry_->manifest.piece_count())
        return errc::malformed_message;
    // A piece no longer asked of it (a CANCEL crossed the DECLINE) changes nothing.
    if (scheduler_->declined(from.key(), message.piece, std::chrono::steady_clock::now(),
                             decisions_))
        apply(decisions_);
    return {};
}

std::error_code fetcher::on_peers(download_connection& from, const wire::peers_msg& message) {
    // Peer exchange: more holders of this content; ourselves is filtered at HELLO. How many
    // addresses a peer may make us connect to is bounded (see introduced_peers.hpp).
    const auto introducer = from.source().to_string();
    for (const auto& peer : message.peers) {
        const net::endpoint named{peer.host, peer.port};
        if (!may_dial(named, from.label())) continue;
        if (introduced_.accept(introducer, named.to_string())) {
            add_source(named);
        } else if (!introduced_limit_logged_) {
            introduced_limit_logged_ = true;
            XLOG_WARN("receiver", from.label(), "ignoring further peers it names (limit reached)");
        }
    }
    return {};
}

bool fetcher::may_dial(const net::endpoint& named, const std::string& label) {
    const auto reason = undialable_reason(named);
    if (!reason) return true;
    if (!undialable_logged_) {
        undialable_logged_ = true;
        XLOG_WARN("receiver", label,
                  "ignoring peer address " << named.to_string() << ": " << *reason
                                           << " (and any more like it)");
    }
    return false;
}

std::span<uint8_t> fetcher::block_destination(download_connection& from,
                                              const wire::piece_header& header, uint32_t length) {
    if (!scheduler_) return {};
    switch (scheduler_->claim_block(from.key(), header.piece, header.offset, length)) {
        case block_claim::write: {
            const auto it = buffers_.find(header.piece);
            if (it == buffers_.end() || !it->second) return {};
            return {it->second.get() + header.offset, length};
        }
        case block_claim::duplicate:
            downloaded_bytes_ += length;  // read and dropped, but it came
            return {};
        case block_claim::unwanted:
            return {};
    }
    return {};
}

std::error_code fetcher::block_received(download_connection& from, const wire::piece_header& header,
                                        uint32_t length) {
    if (downloaded_bytes_ == 0) {
        // How long the user waited for the first byte of data (-v; the cold-start benchmark).
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started_);
        XLOG_INFO("receiver", from.label(), "first block after " << waited.count() << " ms");
    }
    downloaded_bytes_ += length;
    last_advance_ = std::chrono::steady_clock::now();
    if (!scheduler_) return {};
    scheduler_->block_received(from.key(), header.piece, header.offset, decisions_);
    apply(decisions_);
    return {};
}

void fetcher::on_verified(const verify_result& result) {
    if (!buffers_.contains(result.piece)) return;
    if (result.ok) {
        // Counted only once written (on_written); until then the piece stays open, verifying,
        // so no source writes into it and the memory budget still counts it.
        verified_unwritten_.push_back(result.piece);
        start_writes();
        return;
    }
    XLOG_WARN("receiver", "",
              "piece " << result.piece << " failed SHA-256 verification; fetching it again");
    scheduler_->piece_failed(result.piece, decisions_);
    apply(decisions_);
}

void fetcher::drop_banned(peer_key source) {
    const auto connection = connections_.find(source);
    if (connection == connections_.end()) return;
    XLOG_WARN("receiver", connection->second->label(),
              "banned from this transfer: sent " << piece_picker::failures_before_ban
                                                 << " pieces that failed verification");
    ignored_endpoints_.insert(connection->second->source().to_string());
    last_failure_code_ = errc::peer_banned;
    drop_source(source,
                "banned: " + std::to_string(piece_picker::failures_before_ban) + " pieces of " +
                    entry_->path + " from it failed SHA-256 verification (its copy is corrupt, " +
                    "or the file changed on it during the transfer)",
                false, /*may_retry=*/false);
}

// Connect-back hints and discovery's joins and leaves.
void fetcher::take_peer_events(zmq::socket_t& peer_events) {
    zmq::message_t frame;
    while (peer_events.recv(frame, zmq::recv_flags::dontwait)) {
        const auto event = bus::decode(frame);
        if (!event) continue;
        // Before the manifest is known, any holder of our path is welcome (discovery
        // matched it by path); after, only holders of exactly this content.
        const auto wanted = known_content();
        const bool ours = event->content == content_id{} || !wanted || *wanted == event->content;
        auto where = net::parse_endpoint(event->text, net::default_sender_port);
        if (!ours || !where) continue;
        if (event->type == bus::event_type::peer_learned) {
            if (!may_dial(*where, "discovery")) continue;
            if (learned_.accept("learned", where->to_string())) {
                add_source(*where);
            } else if (!learned_limit_logged_) {
                learned_limit_logged_ = true;
                XLOG_WARN("receiver", "discovery",
                          "ignoring further peers learned (limit of " << max_learned_total
                                                                      << " reached)");
            }
            continue;
        }
        retries_.forget(*where);
        std::erase(waiting_sources_, *where);
        for (auto& [key, connection] : connections_) {
            if (connection->source() == *where) {
                drop_source(key, "left (discovery)", false, /*may_retry=*/false);
                break;
            }
        }
    }
}

}  // namespace xfer::receiver
