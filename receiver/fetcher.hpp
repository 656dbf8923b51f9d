// The download half of a peer: pulls one content from every source that has it, verifies each
// piece, writes verified pieces to the store and announces them on the bus. Runs its loop on
// the calling thread; hashing runs on piece_verifier's threads, disk writes on piece_writer's.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "receiver/background_checkpoint.hpp"
#include "receiver/byte_range.hpp"
#include "receiver/download_connection.hpp"
#include "receiver/fetch_stats.hpp"
#include "receiver/frame_memory.hpp"
#include "receiver/introduced_peers.hpp"
#include "receiver/piece_picker.hpp"
#include "receiver/piece_verifier.hpp"
#include "receiver/piece_writer.hpp"
#include "receiver/site_preference.hpp"
#include "receiver/source_cap.hpp"
#include "receiver/source_retries.hpp"
#include "receiver/transfer_scheduler.hpp"
#include "receiver/wire_address.hpp"
#include "shared/bus/events.hpp"
#include "shared/bus/sequence.hpp"
#include "shared/core/aligned_bytes.hpp"
#include "shared/manifest/manifest_stream.hpp"
#include "shared/net/address.hpp"
#include "shared/session/peer_policy.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/tls/tls_context.hpp"

namespace xfer::receiver {

struct fetch_request {
    std::vector<net::endpoint> sources;
    std::string remote_path;            // as the sources share it
    std::optional<content_id> content;  // when known: only this version is accepted
    std::string output_name;            // NAME inside the store root
    bool overwrite = false;
    // With overwrite, a tree at NAME with other content: its pieces whose bytes match are kept,
    // only the others are fetched (--update).
    bool update = false;
    // A tree's entries get the owners (uid, gid) they have on the sender (--owners, as root).
    bool owners = false;
    std::optional<byte_range> range;  // only these pieces (leaves a resumable partial)
    // This installation's key and certificate: every connection to a source is TLS with it.
    std::shared_ptr<const tls::tls_context> tls;
    // Is this the sender we meant: asked with each source's verified peer ID and address right
    // after the TLS handshake, before our HELLO or OPEN goes out; unset: any. A refusal drops
    // the source with the verdict's reason, and it is not asked again in this fetch.
    session::peer_check check_sender;
    // Asked again when the source's HELLO arrives (it says whether the sender is public); a
    // refusal drops the source in the same way. Unset: any.
    session::hello_check check_sender_hello;
    peer_id id{};              // random instance id of this process (HELLO), not an identity
    uint16_t listen_port = 0;  // our sender, told to sources for connect-back
    std::string listen_host;
    // Our segment (--site), told in our HELLO; sources of the same site are preferred
    // (site_preference.hpp). Empty: unknown, no preference.
    std::string site;
    bool wait_for_peers = false;  // sources come from discovery: none at start is fine
    // A source that refuses the connection is retried for this long from the start (peers of a
    // mutual exchange are launched at about the same time; 0 = fail at once).
    std::chrono::milliseconds connect_retry_window{0};
    size_t memory_budget = 32 * 1024 * 1024;
    std::chrono::milliseconds stall_timeout{10000};
    std::chrono::milliseconds unavailable_timeout{20000};
    // Sources connected at once (0: every one named); more wait their turn (source_cap.hpp).
    size_t max_sources = default_max_sources;
    unsigned hash_threads = 1;
    uint64_t limit_down = 0;  // bytes per second over all sources (--limit-down); 0 = none
};

struct source_progress {
    std::string label;
    uint64_t bytes_received = 0;
    double rate = 0;
};

struct fetch_progress {
    std::string name;
    uint64_t wanted_bytes = 0;
    uint64_t verified_bytes = 0;  // of the wanted pieces
    uint64_t downloaded_bytes = 0;
    uint64_t resumed_bytes = 0;  // of the wanted pieces, already verified when the fetch began
    double rate = 0;
    bool manifest_known = false;
    uint64_t file_count = 0;  // a tree: its files, and how many are written completely
    uint64_t files_complete = 0;
    std::string current_file;  // a tree: the file written last (as the peer named it)
    std::vector<source_progress> sources;
};

struct fetch_outcome {
    std::error_code error;
    std::string message;  // one line for the user when error is set
    // Why the last source was dropped (not_found, a refused connection, ...): the cause behind
    // an error of no_source, for the exit status.
    std::error_code last_source_error;
    uint64_t downloaded_bytes = 0;
    uint64_t wanted_bytes = 0;
    uint64_t file_size = 0;
    bool whole_file = true;
    std::shared_ptr<content_entry> entry;
    // Verified peer IDs of the sources still connected at the end that sent us data (for the
    // transfer log).
    std::vector<identity::peer_id> senders;
    fetch_stats stats;  // where the time went (fetch --stats, the --json done event)
};

// Verified bytes of the wanted pieces and, for a tree, its files written completely.
inline void count_verified(const content_entry& entry, const piece_span& span,
                           fetch_progress& progress) {
    progress.verified_bytes = verified_bytes(entry, span);
    if (!entry.is_tree()) return;
    progress.file_count = entry.files->file_count();
    progress.files_complete = entry.files->files_complete();
    progress.current_file = entry.files->file_in_progress();
}

class fetcher final : public download_listener {
  public:
    fetcher(zmq::context_t& context, std::shared_ptr<piece_store> store, fetch_request request);
    ~fetcher() override;

    using progress_fn = std::function<void(const fetch_progress&)>;
    fetch_outcome run(const volatile int* stop_flag, const progress_fn& progress);

  private:
    // download_listener: one handler per message a source sends.
    std::error_code on_peer_verified(download_connection& from,
                                     const identity::peer_id& peer) override;
    std::error_code on_hello(download_connection& from, const wire::hello& hello) override;
    std::error_code on_manifest(download_connection& from,
                                const wire::manifest_msg& message) override;
    std::error_code on_manifest_head(download_connection& from,
                                     const wire::manifest_head_msg& message) override;
    std::error_code on_manifest_hashes(download_connection& from,
                                       const wire::manifest_hashes_msg& message) override;
    std::error_code on_bitfield(download_connection& from,
                                const wire::bitfield_msg& message) override;
    std::error_code on_have(download_connection& from, const wire::have& message) override;
    std::error_code on_error(download_connection& from, const wire::error_msg& message) override;
    std::error_code on_decline(download_connection& from,
                               const wire::decline_msg& message) override;
    std::error_code on_peers(download_connection& from, const wire::peers_msg& message) override;
    std::span<uint8_t> block_destination(download_connection& from,
                                         const wire::piece_header& header,
                                         uint32_t length) override;
    std::error_code block_received(download_connection& from, const wire::piece_header& header,
                                   uint32_t length) override;

    // The first manifest (complete or a streamed head) accepted: the part file, the picker.
    void adopt_last_runs_manifest(const download_connection& from);
    std::error_code open_content(download_connection& from);
    void start_scheduler(const manifest& geometry);
    // --owners: hands the first source's owners record to the tree writer (fetcher_manifest.cpp).
    std::error_code keep_owners();
    // A streamed manifest's last hash arrived: its content id checked, the part file adopted.
    std::error_code manifest_completed(download_connection& from);
    // The content id sources are asked for: known once the manifest is complete.
    std::optional<content_id> known_content() const {
        return entry_ && !placeholder_ ? std::optional<content_id>(entry_->id) : request_.content;
    }
    void add_source(const net::endpoint& source);
    // The cap on sources: who waits for a slot, who gives one up (source_cap.hpp).
    void wait_for_room(const net::endpoint& source);
    void connect_waiting_sources();
    void give_up_a_source_for_a_waiting_one(std::chrono::steady_clock::time_point now);
    void drop_source(uint64_t key, const std::string& reason, bool quietly = false,
                     bool may_retry = true);
    // The scheduler's requests for the sources that may be asked now.
    void schedule_requests();
    // Bytes the scheduler has outstanding from that source (0 before the manifest).
    uint64_t in_flight(uint64_t key) const {
        return scheduler_ ? scheduler_->bytes_in_flight(key) : 0;
    }
    // Carries out what the scheduler decided (transfer_scheduler.hpp), and clears it.
    void apply(scheduler_decisions& decided);
    // The scheduler banned it: dropped, never asked again.
    void drop_banned(peer_key source);
    void on_verified(const verify_result& result);
    // Verified pieces go to the writer as its byte bound allows; a piece counts once written.
    void start_writer();
    void finish_writes_in_flight();
    void start_writes();
    void on_written(write_result& result);
    // Recorded in the store (journal, bit); false, with the fetch's error set, if not.
    bool count_written(const write_result& result);
    void wait_for_writes();
    void tick(fetch_progress& progress, const progress_fn& report);
    void publish(bus::event_type type, uint32_t piece, const std::string& text = {});
    bool idle_sources_hopeless() const;
    // The steps of run(), in the order each pass takes them.
    void start_due_retries();
    bool out_of_sources();
    bool fetch_made_no_progress();
    void poll_once(zmq::socket_t& peer_events);
    void relieve_frame_memory();
    void take_peer_events(zmq::socket_t& peer_events);
    void on_connection_events(uint64_t key, short revents);
    void on_timers(std::chrono::steady_clock::time_point now, fetch_progress& progress,
                   const progress_fn& report);
    fetch_outcome finish();
    size_t max_buffers() const;

    zmq::context_t& context_;
    std::shared_ptr<piece_store> store_;
    background_checkpoint checkpoints_{store_};  // the periodic one, off the loop
    fetch_request request_;
    zmq::socket_t store_events_;
    bus::sequenced_publisher store_publisher_{store_events_};  // stamps what store_events_ sends
    // Where the time goes (fetch_stats.hpp); the verifier's and writer's threads report to it.
    std::shared_ptr<fetch_meter> meter_ = std::make_shared<fetch_meter>();
    std::unique_ptr<piece_verifier> verifier_;
    // Unfinished frames of every source draw from this (declared before connections_, which
    // give their bytes back when destroyed).
    net::byte_budget frame_memory_{max_frame_memory};
    std::unique_ptr<piece_writer> writer_;     // made with the entry (its threads write into it)
    std::deque<uint32_t> verified_unwritten_;  // verified pieces the writer had no room for yet
    bool write_failed_ = false;
    std::map<uint64_t, std::unique_ptr<download_connection>> connections_;
    std::set<std::string> known_sources_;
    // Banned, ourselves, duplicates of a peer we pull from, or gone: not connected to again.
    std::set<std::string> ignored_endpoints_;
    source_retries retries_;  // dropped sources asked again after a backoff
    source_cap source_cap_{request_.max_sources};
    std::deque<net::endpoint> waiting_sources_;  // named, not connected: the cap was reached
    introduced_peers introduced_;                // bounds the connections PEERS frames make us open
    bool introduced_limit_logged_ = false;
    // Discovery and connect-back together: one bound for all (their events name no origin).
    introduced_peers learned_{max_learned_total, max_learned_total};
    bool learned_limit_logged_ = false;
    bool undialable_logged_ = false;
    // An address a peer named that may be dialled (wire_address.hpp); logs the first refusal.
    bool may_dial(const net::endpoint& named, const std::string& label);
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    uint64_t next_key_ = 1;

    std::shared_ptr<content_entry> entry_;
    // The manifest as far as the sources sent it; every piece is verified against its hashes.
    std::optional<manifest_assembly> assembly_;
    std::vector<uint8_t> owners_record_;  // --owners: from the MANIFEST that opened the content
    // entry_ is kept under a placeholder manifest until assembly_ is complete (then adopted).
    bool placeholder_ = false;
    site_preference sites_{request_.site,
                           request_.id};  // heard in HELLOs; the scheduler's picker asks it
    // Piece and block state and what to request (made with the entry); the loop carries out
    // its decisions: decisions_ for the loop's events, dropped_ for a source's departure.
    std::optional<transfer_scheduler> scheduler_;
    scheduler_decisions decisions_;
    scheduler_decisions dropped_;
    std::vector<source_offer> offers_;  // rebuilt on every pass of run()
    // The buffer of each open piece (aligned: verified pieces go to disk with direct I/O); empty
    // while the writer holds it.
    std::map<uint32_t, aligned_bytes> buffers_;
    // Piece-sized buffers handed back after verification: reused rather than freed, so the
    // kernel does not map and fault in fresh pages for every piece.
    std::vector<aligned_bytes> spare_buffers_;
    aligned_bytes take_buffer(uint32_t piece);
    // The piece's buffer (if the loop holds it) goes to the spare pool.
    void recycle(uint32_t piece);
    piece_span span_;
    uint64_t wanted_bytes_ = 0;
    uint64_t resumed_bytes_ = 0;
    uint64_t downloaded_bytes_ = 0;
    std::string last_failure_;
    std::error_code last_failure_code_;
    std::optional<token_bucket> download_limit_;  // --limit-down, shared by every source
    std::error_code fatal_;
    std::string fatal_message_;
    std::chrono::steady_clock::time_point unavailable_since_{};
    // The manifest was accepted or a block of data arrived from any source: the fetch advanced.
    std::chrono::steady_clock::time_point last_advance_{};
    std::chrono::steady_clock::time_point alone_since_{};
    std::chrono::steady_clock::time_point last_tick_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
    std::vector<zmq::pollitem_t> poll_items_;  // rebuilt on every pass of run()
    std::vector<uint64_t> poll_keys_;          // connection of each item after the sockets
    // Per connection item: visited even without events (input buffered in TLS, or starved of
    // frame memory last time).
    std::vector<bool> poll_pending_;
};

}  // namespace xfer::receiver
