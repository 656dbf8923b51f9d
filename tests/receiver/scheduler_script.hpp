// A tiny script language for driving the transfer scheduler, one statement a line ('#' starts a
// comment), so a test reads as the sequence of events a fetch sees:
//
//   pieces 4 blocks 2 open 8 had 3    4 pieces of 2 blocks (256 KiB each), at most 8 open, 3 had
//   add A has 0-2 rate 10M            source A accepted the manifest, holds 0..2, 10 MB/s
//   have A 3 / rate A 1M / remove A   a HAVE; a new measured rate; A is gone
//   plan                              ask for requests (every source added, in order)
//   recv A 1 / recv A 1.0             every block of piece 1 A has outstanding / only block 0
//   start A 1.0                       block 1.0 starts arriving from A (claimed, not finished)
//   stray A 1.0 / stray A 1.0 short   a PIECE for block 1.0 that A was not asked for / one byte
//                                     short of the block: the claim must be `drop`
//   ok 1 / bad 1                      piece 1 written after verifying / failed its hash
//   decline A 1                       A sent DECLINE for piece 1 (at the current time)
//   at 1500 / tick                    the time is 1500 ms / the periodic tick at that time
//   expect req A 1, cancel B 1, ...   what was decided since the last expect (any order); '-':
//                                     nothing. Words: req, cancel, verify, closed, ban, dup
//                                     (a block read and dropped), drop (not wanted), ignored
//   check done | remaining N | open N | unavailable N | inflight A N | banned A | wanted A yes|no
//   check skipped N                   plans skipped so far (nothing changed since the last one)
//   check planned N                   sources worked out by all plans so far
//
// The script plays the fetch loop's part and keeps its own model of each source's outstanding
// blocks (the scheduler is the fetch's one record of them; connections keep none), and checks
// after every statement that the scheduler agrees with it (bytes in flight per source, the
// blocks each CANCEL names), that requests, verifications and closes name only
// pieces with a buffer, and that a piece is verified only when all its blocks were written.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "receiver/transfer_scheduler.hpp"
#include "shared/wire/frame.hpp"
#include "tests/receiver/script_words.hpp"

namespace xfer::receiver::testing {

using namespace script_words;

class scheduler_script {
  public:
    // Runs every statement; a failure names the line.
    void run(const std::string& script) {
        std::istringstream lines(script);
        std::string line;
        int number = 0;
        while (std::getline(lines, line)) {
            ++number;
            if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
            std::istringstream words(line);
            std::string verb;
            if (!(words >> verb)) continue;
            SCOPED_TRACE("script line " + std::to_string(number) + ": " + line);
            statement(verb, words);
            if (::testing::Test::HasFatalFailure()) return;
            check_agreement();
        }
    }

  private:
    using clock = transfer_scheduler::clock;
    static constexpr uint32_t block = wire::block_size;

    void statement(const std::string& verb, std::istringstream& words);
    void setup(std::istringstream& words);
    void add(std::istringstream& words);
    void receive(const std::string& who, const std::string& what, bool finish);
    void receive_block(peer_key source, uint32_t piece, uint32_t offset, bool finish);
    void expect(std::istringstream& words);
    void check(std::istringstream& words);
    // Takes the scheduler's decisions into the log and the loop's own bookkeeping.
    void stray(const std::string& who, const std::string& what, bool short_by_one);
    block_mask outstanding_mask(peer_key source, uint32_t piece) const;
    void take(scheduler_decisions& decided);
    void check_agreement();

    uint32_t length_of(uint32_t piece) const { return sizes_.length(piece); }

    piece_sizes sizes_;
    std::optional<transfer_scheduler> scheduler_;
    scheduler_decisions decisions_;
    std::map<peer_key, double> rates_;                                  // added, not removed
    std::map<peer_key, std::map<uint32_t, std::set<uint32_t>>> asked_;  // source: piece: offsets
    std::set<uint32_t> buffers_;                                        // open pieces
    std::map<uint32_t, std::set<uint32_t>> written_;                    // piece: offsets written
    struct arriving_block {
        uint32_t piece = 0;
        uint32_t offset = 0;
        bool in_flight = true;  // false once its piece was cancelled on that source
    };
    std::map<peer_key, arriving_block> arriving_;  // started, not finished
    std::multiset<std::string> log_;
    clock::time_point now_{};
};

inline void scheduler_script::statement(const std::string& verb, std::istringstream& words) {
    std::string who, what;
    if (verb == "pieces") return setup(words);
    ASSERT_TRUE(scheduler_) << "the script must start with `pieces`";
    decisions_.clear();
    if (verb == "add") {
        add(words);
    } else if (verb == "have") {
        words >> who >> what;
        for (const auto piece : numbers(what)) scheduler_->source_has(key_of(who), piece);
    } else if (verb == "rate") {
        words >> who >> what;
        rates_[key_of(who)] = rate_of(what);
    } else if (verb == "remove") {
        words >> who;
        rates_.erase(key_of(who));
        asked_.erase(key_of(who));
        arriving_.erase(key_of(who));
        scheduler_->source_removed(key_of(who), decisions_);
    } else if (verb == "plan") {
        std::vector<source_offer> offers;
        for (const auto& [key, rate] : rates_) offers.push_back({key, rate});
        scheduler_->plan(offers, offers.size(), decisions_);
    } else if (verb == "recv" || verb == "start") {
        words >> who >> what;
        receive(who, what, verb == "recv");
    } else if (verb == "stray") {
        std::string shape;
        words >> who >> what >> shape;
        stray(who, what, shape == "short");
    } else if (verb == "ok" || verb == "bad") {
        words >> what;
        const uint32_t piece = std::stoul(what);
        ASSERT_TRUE(buffers_.contains(piece)) << "piece " << piece << " is not open";
        if (verb == "ok") {
            buffers_.erase(piece);
            scheduler_->piece_written(piece, true, decisions_);
        } else {
            scheduler_->piece_failed(piece, decisions_);
        }
        written_.erase(piece);
    } else if (verb == "decline") {
        words >> who >> what;
        const uint32_t piece = std::stoul(what);
        if (!scheduler_->declined(key_of(who), piece, now_, decisions_))
            log_.insert("ignored " + who + " " + what);
    } else if (verb == "at") {
        words >> what;
        now_ = clock::time_point{} + std::chrono::milliseconds(std::stol(what));
    } else if (verb == "tick") {
        scheduler_->tick(now_);
    } else if (verb == "expect") {
        return expect(words);
    } else if (verb == "check") {
        return check(words);
    } else {
        FAIL() << "unknown statement " << verb;
    }
    take(decisions_);
}

inline void scheduler_script::setup(std::istringstream& words) {
    uint32_t count = 0, blocks = 1;
    size_t open = 8;
    std::string word, had_list;
    words >> count;
    while (words >> word) {
        if (word == "blocks") words >> blocks;
        if (word == "open") words >> open;
        if (word == "had") words >> had_list;
    }
    sizes_ = {uint64_t{count} * blocks * block, blocks * block, count};
    std::vector<bool> had(count, false);
    if (!had_list.empty())
        for (const auto piece : numbers(had_list)) had.at(piece) = true;
    scheduler_.emplace(sizes_, std::vector<bool>(count, true), had, /*seed=*/1, open);
}

inline void scheduler_script::add(std::istringstream& words) {
    std::string who, word, what;
    words >> who;
    const auto key = key_of(who);
    rates_[key] = 0;
    scheduler_->source_added(key);
    while (words >> word >> what) {
        if (word == "rate") rates_[key] = rate_of(what);
        if (word != "has") continue;
        std::vector<bool> has(sizes_.piece_count, what == "all");
        if (what != "all" && what != "none")
            for (const auto piece : numbers(what)) has.at(piece) = true;
        scheduler_->source_has_all(key, has);
    }
}

// "recv A 3": every block of piece 3 A has outstanding (or started), in order; "recv A 3.1":
// block 1 only. "start A 3.1": block 1 starts to arrive (claimed, its last byte not yet in).
inline void scheduler_script::receive(const std::string& who, const std::string& what,
                                      bool finish) {
    const auto key = key_of(who);
    const auto dot = what.find('.');
    const uint32_t piece = std::stoul(what.substr(0, dot));
    const bool one = dot != std::string::npos;
    const uint32_t named = one ? std::stoul(what.substr(dot + 1)) * block : 0;
    bool done_any = false;
    if (const auto it = arriving_.find(key); finish && it != arriving_.end() &&
                                             it->second.piece == piece &&
                                             (!one || it->second.offset == named)) {
        const uint32_t offset = it->second.offset;
        arriving_.erase(it);
        scheduler_->block_received(key, piece, offset, decisions_);
        written_[piece].insert(offset);
        take(decisions_);
        decisions_.clear();
        if (one) return;
        done_any = true;
    }
    const auto outstanding = asked_[key][piece];
    if (outstanding.empty() && done_any) return;
    ASSERT_FALSE(outstanding.empty()) << who << " has nothing of piece " << piece << " outstanding";
    std::vector<uint32_t> offsets(outstanding.begin(), outstanding.end());
    if (one) {
        ASSERT_TRUE(outstanding.contains(named)) << who << " was not asked for " << what;
        offsets = {named};
    }
    for (const auto offset : offsets) {
        receive_block(key, piece, offset, finish);
        take(decisions_);
        decisions_.clear();
    }
}

// What a download connection does with a block it asked for: no longer outstanding once it
// is claimed and dropped, or once the last byte of a claimed block came.
inline void scheduler_script::receive_block(peer_key source, uint32_t piece, uint32_t offset,
                                            bool finish) {
    const uint32_t length = std::min(block, length_of(piece) - offset);
    const auto label =
        name_of(source) + " " + std::to_string(piece) + "." + std::to_string(offset / block);
    asked_[source][piece].erase(offset);
    if (asked_[source][piece].empty()) asked_[source].erase(piece);
    const auto claim = scheduler_->claim_block(source, piece, offset, length);
    if (claim == block_claim::duplicate) log_.insert("dup " + label);
    if (claim == block_claim::unwanted) log_.insert("drop " + label);
    if (claim != block_claim::write) return;
    ASSERT_TRUE(buffers_.contains(piece))
        << "a block written into piece " << piece << " that has no buffer";
    if (!finish) {
        arriving_[source] = {piece, offset, true};
        return;
    }
    scheduler_->block_received(source, piece, offset, decisions_);
    written_[piece].insert(offset);
}

// A PIECE the source was not asked for (a hostile or confused sender): dropped, and what is
// outstanding stays as it was (check_agreement after the statement).
inline void scheduler_script::stray(const std::string& who, const std::string& what,
                                    bool short_by_one) {
    const auto dot = what.find('.');
    ASSERT_NE(dot, std::string::npos) << "stray needs PIECE.BLOCK";
    const uint32_t piece = std::stoul(what.substr(0, dot));
    const uint32_t offset = std::stoul(what.substr(dot + 1)) * block;
    const uint32_t length = std::min(block, length_of(piece) - offset) - (short_by_one ? 1 : 0);
    const auto claim = scheduler_->claim_block(key_of(who), piece, offset, length);
    const auto label = who + " " + what;
    log_.insert(claim == block_claim::unwanted    ? "drop " + label
                : claim == block_claim::duplicate ? "dup " + label
                                                  : "write " + label);
}

// The blocks of `piece` still outstanding from `source` in the model, as a block_mask.
inline block_mask scheduler_script::outstanding_mask(peer_key source, uint32_t piece) const {
    block_mask mask = 0;
    if (const auto it = asked_.find(source); it != asked_.end()) {
        if (const auto p = it->second.find(piece); p != it->second.end())
            for (const auto offset : p->second) mask |= block_mask{1} << (offset / block);
    }
    if (const auto it = arriving_.find(source);
        it != arriving_.end() && it->second.in_flight && it->second.piece == piece)
        mask |= block_mask{1} << (it->second.offset / block);
    return mask;
}

inline void scheduler_script::take(scheduler_decisions& decided) {
    for (const auto piece : decided.opened) {
        EXPECT_FALSE(buffers_.contains(piece)) << "piece " << piece << " opened twice";
        buffers_.insert(piece);
    }
    for (const auto& request : decided.requests) {
        EXPECT_TRUE(buffers_.contains(request.piece)) << "request without a buffer";
        EXPECT_EQ(request.length, length_of(request.piece));
        auto& offsets = asked_[request.source][request.piece];
        for (uint32_t offset = 0; offset < request.length; offset += block) offsets.insert(offset);
        log_.insert("req " + name_of(request.source) + " " + std::to_string(request.piece));
    }
    for (const auto& cancel : decided.cancels) {
        EXPECT_EQ(cancel.blocks, outstanding_mask(cancel.source, cancel.piece))
            << "the blocks a CANCEL names (model 0: a cancel of nothing asked)";
        EXPECT_EQ(cancel.length, length_of(cancel.piece));
        asked_[cancel.source].erase(cancel.piece);
        // A block arriving is read on into its buffer, but no longer counts as in flight.
        if (const auto it = arriving_.find(cancel.source);
            it != arriving_.end() && it->second.piece == cancel.piece)
            it->second.in_flight = false;
        log_.insert("cancel " + name_of(cancel.source) + " " + std::to_string(cancel.piece));
    }
    for (const auto piece : decided.verify) {
        EXPECT_TRUE(buffers_.contains(piece)) << "verify without a buffer";
        EXPECT_EQ(written_[piece].size(), (length_of(piece) + block - 1) / block)
            << "piece " << piece << " verified before all its blocks were written";
        log_.insert("verify " + std::to_string(piece));
    }
    for (const auto piece : decided.closed) {
        EXPECT_TRUE(buffers_.erase(piece)) << "closed piece " << piece << " had no buffer";
        written_.erase(piece);
        log_.insert("closed " + std::to_string(piece));
    }
    for (const auto source : decided.banned) log_.insert("ban " + name_of(source));
}

inline void scheduler_script::check_agreement() {
    for (const auto& [key, pieces] : asked_) {
        uint64_t bytes = 0;
        for (const auto& [piece, offsets] : pieces)
            for (const auto offset : offsets) bytes += std::min(block, length_of(piece) - offset);
        // A block that started arriving is still outstanding until its last byte.
        if (const auto it = arriving_.find(key); it != arriving_.end() && it->second.in_flight)
            bytes += std::min(block, length_of(it->second.piece) - it->second.offset);
        EXPECT_EQ(scheduler_->bytes_in_flight(key), bytes) << "bytes in flight of " << name_of(key);
    }
    EXPECT_EQ(scheduler_->open_pieces(), buffers_.size()) << "open pieces";
}

inline void scheduler_script::expect(std::istringstream& words) {
    std::string rest, item;
    std::getline(words, rest);
    std::multiset<std::string> wanted;
    std::istringstream items(rest);
    while (std::getline(items, item, ',')) {
        std::istringstream parts(item);
        std::string word, joined;
        while (parts >> word) joined += (joined.empty() ? "" : " ") + word;
        if (!joined.empty() && joined != "-") wanted.insert(joined);
    }
    auto show = [](const std::multiset<std::string>& set) {
        std::string text;
        for (const auto& entry : set) text += (text.empty() ? "" : ", ") + entry;
        return text.empty() ? std::string("-") : text;
    };
    EXPECT_EQ(show(log_), show(wanted));
    log_.clear();
}

inline void scheduler_script::check(std::istringstream& words) {
    std::string what, who, value;
    words >> what;
    if (what == "done") {
        EXPECT_TRUE(scheduler_->complete());
    } else if (what == "remaining" || what == "open" || what == "unavailable") {
        words >> value;
        const size_t actual = what == "open"        ? scheduler_->open_pieces()
                              : what == "remaining" ? scheduler_->remaining()
                                                    : scheduler_->unavailable_count();
        EXPECT_EQ(actual, std::stoul(value)) << what;
    } else if (what == "inflight") {
        words >> who >> value;
        EXPECT_EQ(scheduler_->pieces_in_flight(key_of(who)), std::stoul(value)) << who;
    } else if (what == "skipped") {
        words >> value;
        EXPECT_EQ(scheduler_->plans_skipped(), std::stoul(value)) << what;
    } else if (what == "planned") {
        words >> value;
        EXPECT_EQ(scheduler_->sources_planned(), std::stoul(value)) << what;
    } else if (what == "banned") {
        words >> who;
        EXPECT_TRUE(scheduler_->is_banned(key_of(who))) << who;
    } else if (what == "wanted") {
        words >> who >> value;
        EXPECT_EQ(scheduler_->has_wanted(key_of(who)), value == "yes") << who;
    } else {
        FAIL() << "unknown check " << what;
    }
}

// Runs one script on a fresh scheduler: what every scheduler test calls.
inline void run(const std::string& script) {
    scheduler_script().run(script);
}

}  // namespace xfer::receiver::testing
