#include "receiver/fetch_stats.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace xfer::receiver {
namespace {

double seconds_of(std::chrono::steady_clock::duration duration) {
    return std::chrono::duration<double>(duration).count();
}

double seconds_of(const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
}

}  // namespace

thread_cpu this_thread_cpu() {
    thread_cpu cpu;
    rusage usage{};
    if (::getrusage(RUSAGE_THREAD, &usage) != 0) return cpu;
    cpu.user_seconds = seconds_of(usage.ru_utime);
    cpu.system_seconds = seconds_of(usage.ru_stime);
    return cpu;
}

fetch_meter::fetch_meter() : loop_cpu_at_start_(this_thread_cpu()) {}

void fetch_meter::record_cpu(role kind) {
    // Each verifier and writer thread belongs to one fetch: its line is found by one
    // thread-local read.
    thread_local const fetch_meter* registered_with = nullptr;
    thread_local size_t line = 0;
    const auto cpu = this_thread_cpu();
    std::lock_guard lock(mutex_);
    if (registered_with != this) {
        registered_with = this;
        line = workers_.size();
        auto& count = kind == role::hash ? hash_thread_count_ : writer_thread_count_;
        workers_.push_back({kind, ++count, {}});
    }
    workers_[line].cpu = cpu;
}

void fetch_meter::hashed(clock::time_point started, uint64_t bytes) {
    const auto busy = clock::now() - started;
    {
        std::lock_guard lock(mutex_);
        hash_busy_ += busy;
        hashed_bytes_ += bytes;
    }
    record_cpu(role::hash);
}

void fetch_meter::wrote(clock::time_point started, uint64_t bytes) {
    const auto busy = clock::now() - started;
    {
        std::lock_guard lock(mutex_);
        write_busy_ += busy;
        written_bytes_ += bytes;
    }
    record_cpu(role::writer);
}

void fetch_meter::polled(
    clock::time_point started,
    const std::map<uint64_t, std::unique_ptr<download_connection>>& connections,
    const std::function<uint64_t(uint64_t)>& in_flight) {
    const auto idle = clock::now() - started;
    loop_idle_ += idle;
    bool anyone_owes = false;
    // Both maps are ordered by key and mostly hold the same keys: a hinted walk, not a search
    // per source (this runs after every poll of the fetch loop).
    auto next = sources_.begin();
    for (const auto& [key, connection] : connections) {
        const auto at = sources_.try_emplace(next, key);
        next = std::next(at);
        auto& source = at->second;
        if (source.address.empty()) source.address = connection->source().to_string();
        source.bytes = connection->bytes_received();
        if (in_flight(key) == 0) continue;
        anyone_owes = true;
        source.wait_seconds += seconds_of(idle);
    }
    if (anyone_owes) network_wait_ += idle;
}

void fetch_meter::synced(clock::time_point started) {
    sync_ += clock::now() - started;
}

namespace {

// A source connected twice (dropped, then again) is one line.
std::vector<source_wait> by_address(const std::map<uint64_t, source_wait>& connections) {
    std::vector<source_wait> sources;
    for (const auto& [key, source] : connections) {
        auto same = std::find_if(sources.begin(), sources.end(), [&](const source_wait& seen) {
            return seen.address == source.address;
        });
        if (same == sources.end()) {
            sources.push_back(source);
            continue;
        }
        same->wait_seconds += source.wait_seconds;
        same->bytes += source.bytes;
    }
    return sources;
}

}  // namespace

fetch_stats fetch_meter::snapshot(unsigned hash_threads, unsigned writer_threads,
                                  uint64_t limit_down) const {
    fetch_stats stats;
    stats.seconds = seconds_of(clock::now() - started_);
    stats.loop_idle_seconds = seconds_of(loop_idle_);
    stats.network_wait_seconds = seconds_of(network_wait_);
    stats.sync_seconds = seconds_of(sync_);
    stats.limit_down = limit_down;
    stats.hash_threads = hash_threads;
    stats.writer_threads = writer_threads;
    stats.sources = by_address(sources_);
    const auto loop = this_thread_cpu();
    stats.threads.push_back({"tls/recv", loop.user_seconds - loop_cpu_at_start_.user_seconds,
                             loop.system_seconds - loop_cpu_at_start_.system_seconds});
    std::lock_guard lock(mutex_);
    stats.hash_busy_seconds = seconds_of(hash_busy_);
    stats.hashed_bytes = hashed_bytes_;
    stats.write_busy_seconds = seconds_of(write_busy_);
    stats.written_bytes = written_bytes_;
    // A pool replaced during the fetch (the writer, when a streamed manifest completes) has its
    // threads folded onto the first pool's lines: one line per configured thread.
    for (const auto kind : {role::hash, role::writer}) {
        const unsigned pool = std::max(1u, kind == role::hash ? hash_threads : writer_threads);
        const std::string name = kind == role::hash ? "hash" : "writer";
        std::vector<thread_cpu> lines;
        for (const auto& worker : workers_) {
            if (worker.kind != kind) continue;
            const unsigned slot = (worker.number - 1) % pool;
            if (lines.size() <= slot) lines.resize(slot + 1);
            lines[slot].role =
                kind == role::writer && pool == 1 ? name : name + " " + std::to_string(slot + 1);
            lines[slot].user_seconds += worker.cpu.user_seconds;
            lines[slot].system_seconds += worker.cpu.system_seconds;
        }
        for (auto& line : lines)
            if (!line.role.empty()) stats.threads.push_back(std::move(line));
    }
    return stats;
}

}  // namespace xfer::receiver
