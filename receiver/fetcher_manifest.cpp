// The manifest of the content we fetch, however it arrives: one MANIFEST, or (from a sender that
// is still hashing) a MANIFEST_HEAD and MANIFEST_HASHES frames, from one source or several
// (docs/PROTOCOL.md, "Streamed manifest"). Pieces are asked for only once their hash is known,
// each is verified against it, and nothing is completed before the whole manifest is in and its
// content id checked.
#include <algorithm>

#include "receiver/fetcher.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/store/tree_writer.hpp"
#include "shared/tree/tree_owners.hpp"

namespace xfer::receiver {

std::error_code fetcher::on_manifest(download_connection& from, const wire::manifest_msg& message) {
    if (from.manifest_accepted() || message.handle != 1) return errc::unexpected_message;
    if (assembly_ && assembly_->complete()) {
        if (content_id_of(message.encoded) != assembly_->id()) return errc::content_mismatch;
    } else if (assembly_) {
        // Ours is still streaming: this one must agree with every hash known, and completes it.
        if (request_.content && content_id_of(message.encoded) != *request_.content)
            return errc::content_mismatch;
        if (auto ec =
                assembly_->agree(message.encoded, assembly_->piece_count(), from.hashes_sent()))
            return ec;
    } else {
        auto assembly = manifest_assembly::from_complete(message.encoded);
        if (!assembly) return assembly.error();
        if (request_.content && *request_.content != assembly->id()) return errc::content_mismatch;
        assembly_ = std::move(*assembly);
    }
    if (owners_record_.empty()) owners_record_ = message.owners;
    from.hashes_sent() = assembly_->piece_count();
    from.accept_manifest();
    last_advance_ = std::chrono::steady_clock::now();  // a new source may have what is missing
    if (!entry_) return open_content(from);
    if (scheduler_) scheduler_->source_added(from.key());
    return placeholder_ ? manifest_completed(from) : std::error_code{};
}

std::error_code fetcher::on_manifest_head(download_connection& from,
                                          const wire::manifest_head_msg& message) {
    if (from.manifest_accepted() || message.handle != 1) return errc::unexpected_message;
    if (assembly_) {
        if (auto ec = assembly_->agree(message.encoded_prefix, message.known_hashes,
                                       from.hashes_sent())) {
            return ec;
        }
    } else {
        auto assembly = manifest_assembly::from_head(message.encoded_prefix, message.known_hashes);
        if (!assembly) return assembly.error();
        assembly_ = std::move(*assembly);
        from.hashes_sent() = message.known_hashes;
    }
    from.accept_manifest();
    last_advance_ = std::chrono::steady_clock::now();
    if (!entry_) return open_content(from);
    if (scheduler_) scheduler_->source_added(from.key());
    return placeholder_ && assembly_->complete() ? manifest_completed(from) : std::error_code{};
}

std::error_code fetcher::on_manifest_hashes(download_connection& from,
                                            const wire::manifest_hashes_msg& message) {
    if (!from.manifest_accepted() || message.handle != 1 || !assembly_ || !entry_)
        return errc::unexpected_message;
    const uint32_t first = message.first_piece;
    if (auto ec = assembly_->add(from.hashes_sent(), first, message.hashes)) return ec;
    last_advance_ = std::chrono::steady_clock::now();
    // The sender streams only what it holds complete: each hash also announces its piece.
    if (scheduler_)
        for (uint32_t piece = first; piece < from.hashes_sent(); ++piece)
            scheduler_->source_has(from.key(), piece);
    return placeholder_ && assembly_->complete() ? manifest_completed(from) : std::error_code{};
}

// An earlier run may have had the whole manifest (its sender since restarted, cold): if that
// checkpoint agrees with every hash streamed so far, it is the content, and the fetch resumes
// from it. Each hash the sources send later must still match it (content_mismatch if not).
void fetcher::adopt_last_runs_manifest(const download_connection& from) {
    if (assembly_->complete()) return;
    auto resumable = store_->resume_manifest(request_.output_name);
    if (!resumable) return;
    auto candidate = *assembly_;
    uint32_t next = 0;
    if (candidate.agree(*resumable, candidate.piece_count(), next) ||
        candidate.check_root(request_.content)) {
        return;
    }
    assembly_ = std::move(candidate);
    XLOG_INFO("receiver", from.label(), "resuming under the manifest of the last run");
}

std::error_code fetcher::open_content(download_connection& from) {
    adopt_last_runs_manifest(from);
    const auto& geometry = assembly_->geometry();
    placeholder_ = !assembly_->complete();
    // Until the manifest is complete the part file is kept under a placeholder of the same
    // geometry whose hashes are unique to this fetch: it names no content anyone has, is never
    // served or announced, and a later run never resumes from it (piece_store::
    // register_placeholder).
    std::vector<uint8_t> unique(request_.id.begin(), request_.id.end());
    unique.insert(unique.end(), request_.output_name.begin(), request_.output_name.end());
    const auto open = [&](std::span<const uint8_t> encoded) {
        store_->register_placeholder(content_id_of(encoded));
        return store_->open_for_fetching(request_.output_name, encoded, request_.overwrite,
                                         request_.update);
    };
    // A complete manifest goes to the entry: the assembly keeps no copy of it.
    auto entry = placeholder_
                     ? assembly_->with_placeholder_encoding(sha256(unique), open)
                     : store_->open_for_fetching(request_.output_name, assembly_->take_encoding(),
                                                 request_.overwrite, request_.update);
    if (!entry) {
        fatal_ = entry.error();
        const auto target = (store_->root() / request_.output_name).string();
        fatal_message_ =
            entry.error() == std::errc::file_exists
                ? target +
                      " already exists with other content (--force replaces it; for a tree, "
                      "--update fetches only what differs)"
                : "cannot write " + target + ": " + entry.error().message();
        return {};
    }
    entry_ = *entry;
    if (auto ec = keep_owners()) {
        fatal_ = ec;
        fatal_message_ = from.source().to_string() + ": no valid owners record for --owners (" +
                         ec.message() + ")";
        return {};
    }
    if (!entry_->complete) start_writer();
    // A partial that was mid-fetch in this process before is never shared by two fetchers.
    start_scheduler(geometry);
    XLOG_INFO(
        "receiver", from.label(),
        (placeholder_ ? "streamed manifest, " + std::to_string(assembly_->known()) + " of "
                      : std::string("content ") + to_hex(assembly_->id()).substr(0, 16) + ": ")
            << geometry.file_size << " bytes, " << geometry.piece_count() << " pieces, "
            << entry_->have.count() << " already verified");
    if (!placeholder_ && !entry_->complete)
        publish(bus::event_type::content_added, 0, entry_->path);
    return {};
}

// The pieces this fetch wants (all, or --range's) and those the part file already has, and the
// scheduler over them, told of every source that accepted the manifest meanwhile.
void fetcher::start_scheduler(const manifest& geometry) {
    span_ = request_.range ? to_pieces(*request_.range, geometry.file_size, geometry.piece_size)
                           : piece_span{0, geometry.piece_count()};
    std::vector<bool> wanted(geometry.piece_count(), false), had(geometry.piece_count(), false);
    for (uint32_t piece = 0; piece < geometry.piece_count(); ++piece) {
        wanted[piece] = piece >= span_.first && piece < span_.last;
        had[piece] = entry_->have.test(piece);
        if (wanted[piece]) wanted_bytes_ += geometry.piece_length(piece);
        if (wanted[piece] && had[piece]) resumed_bytes_ += geometry.piece_length(piece);
    }
    uint64_t seed = 0;
    std::copy_n(request_.id.begin(), sizeof seed, reinterpret_cast<uint8_t*>(&seed));
    scheduler_.emplace(piece_sizes{geometry.file_size, geometry.piece_size, geometry.piece_count()},
                       std::move(wanted), had, seed, max_buffers());
    scheduler_->consult(&sites_);
    for (const auto& [key, connection] : connections_) {
        if (connection->manifest_accepted()) scheduler_->source_added(key);
    }
}

std::error_code fetcher::keep_owners() {
    if (!request_.owners) return {};
    if (!entry_->is_tree()) {
        XLOG_WARN("receiver", "",
                  request_.remote_path << " is a file: --owners keeps the owners of a tree's "
                                          "entries only, this file is owned by you");
        return {};
    }
    auto* writer = dynamic_cast<tree_writer*>(entry_->files.get());
    if (writer == nullptr) return {};  // complete already: nothing is written
    auto runs = tree::decode_owners(owners_record_, writer->manifest().entries.size());
    if (!runs) return runs.error();
    writer->keep_owners(std::move(*runs));
    return {};
}

std::error_code fetcher::manifest_completed(download_connection& from) {
    if (auto ec = assembly_->check_root(request_.content)) {
        // Hashes consistent with its data, of another content than the one asked for: what it
        // sent cannot be trusted, and nothing of it is presented as that content.
        XLOG_WARN("receiver", from.label(),
                  "banned from this transfer: its streamed manifest is content "
                      << to_hex(assembly_->id()).substr(0, 16) << ", not the one asked for");
        ignored_endpoints_.insert(from.source().to_string());
        last_failure_code_ = errc::peer_banned;
        fatal_ = ec;
        fatal_message_ = from.source().to_string() + ": the manifest it streamed is not content " +
                         to_hex(*request_.content) + " (banned from this transfer)";
        return ec;
    }
    // The writer's threads write into the placeholder entry: what they hold is written and
    // counted before the entry is replaced, and a new writer writes into the adopted one.
    finish_writes_in_flight();
    if (auto ec = checkpoints_.wait())
        XLOG_INFO("receiver", "", "checkpoint failed: " << ec.message());
    // Those waits were the fetch's own (a piece of 262,144 files keeps the writers busy for tens
    // of seconds): what the sources sent meanwhile is unread, so no progress clock counts it.
    const auto now = std::chrono::steady_clock::now();
    last_advance_ = now;
    for (auto& [key, connection] : connections_) connection->restart_waits(now);
    auto adopted = store_->adopt_manifest(*entry_, assembly_->take_encoding(), request_.overwrite);
    if (!adopted) {
        fatal_ = adopted.error();
        fatal_message_ = "cannot write " + (store_->root() / entry_->part_path).string() + ": " +
                         adopted.error().message();
        return {};
    }
    entry_ = *adopted;
    placeholder_ = false;
    if (!entry_->complete) start_writer();
    XLOG_INFO("receiver", from.label(),
              "manifest complete: content " << to_hex(assembly_->id()).substr(0, 16) << ", "
                                            << entry_->have.count() << " pieces verified so far");
    if (!entry_->complete) publish(bus::event_type::content_added, 0, entry_->path);
    return {};
}

}  // namespace xfer::receiver
