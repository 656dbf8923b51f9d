// Verified pieces on their way to disk: handed to the piece writer's threads as its byte bound
// allows, and counted (journal, bit, HAVE, picker) only when the writer says they are written;
// and, after the loop, the file or tree renamed into place or checkpointed to resume from.
#include "receiver/fetcher.hpp"
#include "shared/core/error.hpp"
#include "shared/core/log.hpp"

namespace xfer::receiver {
namespace {

// Verified bytes queued for the writer at most. The piece buffers behind it are inside the
// fetch's memory budget (--memory) either way: this keeps part of the budget for receiving
// while the disk is busy.
constexpr uint64_t max_queued_write_bytes = 16 * 1024 * 1024;
// A single file is written by one thread (sequential O_DIRECT writes keep the device busy); a
// tree by a few, because creating, writing and closing thousands of small files costs system
// calls per file, which run in parallel on the kernel's side (and wait on the journal).
constexpr unsigned file_writer_threads = 1;
constexpr unsigned tree_writer_threads = 4;

unsigned writer_threads_for(const content_entry& entry) {
    return entry.is_tree() ? tree_writer_threads : file_writer_threads;
}

}  // namespace

void fetcher::start_writer() {
    auto write = [store = store_, entry = entry_, meter = meter_](uint32_t piece,
                                                                  std::span<const uint8_t> data) {
        const auto started = fetch_meter::clock::now();
        const auto ec = store->write_piece_data(*entry, piece, data);
        meter->wrote(started, data.size());
        return ec;
    };
    writer_ = std::make_unique<piece_writer>(context_, writer_threads_for(*entry_),
                                             max_queued_write_bytes, std::move(write));
}

void fetcher::start_writes() {
    while (writer_ && !write_failed_ && !verified_unwritten_.empty()) {
        const uint32_t piece = verified_unwritten_.front();
        const auto it = buffers_.find(piece);
        if (it == buffers_.end()) {
            verified_unwritten_.pop_front();
            continue;
        }
        const uint32_t length = scheduler_->piece_length(piece);
        if (!writer_->has_room_for(length)) return;
        verified_unwritten_.pop_front();
        writer_->submit({piece, std::move(it->second), length});
    }
}

void fetcher::on_written(write_result& result) {
    if (const auto it = buffers_.find(result.piece); it != buffers_.end()) {
        it->second = std::move(result.data);
        recycle(result.piece);
    }
    // The first failure is the one the user is told about.
    const bool counted = !write_failed_ && count_written(result);
    if (counted) publish(bus::event_type::piece_verified, result.piece);
    scheduler_->piece_written(result.piece, counted, decisions_);
    apply(decisions_);
}

bool fetcher::count_written(const write_result& result) {
    auto ec = result.error;
    if (!ec) ec = store_->record_written(*entry_, result.piece);
    if (!ec) return true;
    // The piece does not count: the part file (or staging directory) stays as it is, never
    // renamed into place, and the resume state says what was written before.
    write_failed_ = true;
    fatal_ = ec;
    const auto where = store_->root() / entry_->part_path;
    fatal_message_ = "cannot write " + where.string() +
                     (entry_->is_tree() ? " (piece " + std::to_string(result.piece) + ")" : "") +
                     ": " + ec.message();
    return false;
}

// After the loop (done, stopped or failed): pieces already with the writer are finished and
// counted, so a resume does not fetch them again. Bounded by the writer's byte bound.
void fetcher::wait_for_writes() {
    finish_writes_in_flight();
    verified_unwritten_.clear();
}

// Pieces handed to the writer are written and counted; those still waiting for room stay.
void fetcher::finish_writes_in_flight() {
    if (!writer_) return;
    while (writer_->in_progress() > 0) {
        zmq::pollitem_t item{writer_->ready_socket().handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(200));
        for (auto& result : writer_->take_results()) on_written(result);
    }
}

// After the loop: the final name when every piece is verified, else a checkpoint to resume from.
fetch_outcome fetcher::finish() {
    fetch_outcome outcome;
    outcome.downloaded_bytes = downloaded_bytes_;
    outcome.wanted_bytes = wanted_bytes_;
    outcome.entry = entry_;
    if (entry_) {
        outcome.file_size = entry_->manifest.file_size;
        outcome.whole_file = span_.first == 0 && span_.last == entry_->manifest.piece_count();
    }
    if (auto ec = checkpoints_.wait())
        XLOG_INFO("receiver", "", "checkpoint failed: " << ec.message());
    if (!fatal_ && entry_ && !placeholder_ && !entry_->complete && outcome.whole_file &&
        entry_->have.all()) {
        const auto sync_started = fetch_meter::clock::now();
        const auto ec = store_->finalize(*entry_);
        meter_->synced(sync_started);
        if (ec) {
            fatal_ = ec;
            fatal_message_ =
                "cannot complete " + (store_->root() / entry_->path).string() + ": " + ec.message();
        } else {
            publish(bus::event_type::file_completed, 0, entry_->path);
        }
    }
    if (entry_ && !entry_->complete) {
        // After a failed write (a full disk) this fails too; the user already has the cause.
        if (auto ec = store_->checkpoint(*entry_))
            XLOG_INFO("receiver", "", "checkpoint failed: " << ec.message());
    }
    outcome.error = fatal_;
    outcome.message = fatal_message_;
    outcome.stats = meter_->snapshot(request_.hash_threads,
                                     entry_ ? writer_threads_for(*entry_) : 0, request_.limit_down);
    outcome.last_source_error = last_failure_code_;
    for (const auto& [key, connection] : connections_) {
        const auto id = connection->remote_peer_id();
        if (id && connection->bytes_received() > 0) outcome.senders.push_back(*id);
    }
    return outcome;
}

}  // namespace xfer::receiver
