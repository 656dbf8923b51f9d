// Shared pieces of the discovery tests: sample records, a tracker process, and a "presence"
// child process (this test binary re-run in a helper mode) that stands in for `xfer serve`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "shared/discovery/tracker_link.hpp"
#include "tests/support/process.hpp"

namespace xfer::test {

using namespace std::chrono_literals;

// Generous: the machine may be slow and busy. Tests wait for events, never for fixed times.
inline constexpr auto discovery_deadline = 30s;

peer_id test_peer_id(uint8_t seed);
content_id test_content_id(uint8_t seed);
discovery::held_content test_content(const std::string& path, uint8_t seed, uint64_t size = 1000,
                                     uint32_t pieces_had = 4, uint32_t piece_count = 4);
discovery::peer_record test_record(uint8_t seed, const std::string& name, uint16_t port,
                                   std::vector<discovery::held_content> contents = {});

// A signer with a freshly generated Ed25519 key: another identity each call.
std::shared_ptr<const discovery::lan::datagram_signer> fresh_signer();

// Encodes contents for the presence helper: "path|seed|size|had|count;..." (seed: content id).
std::string contents_argument(const std::vector<discovery::held_content>& contents);

// `xfer tracker --listen 127.0.0.1:0`, started and waited for. address() is what a client
// passes to --tracker: "KEY@HOST:PORT" as the tracker printed it; endpoint() is HOST:PORT.
class tracker_process {
  public:
    explicit tracker_process(std::vector<std::string> extra_arguments = {},
                             std::vector<std::string> prefix = {});
    const std::string& address() const { return address_; }
    const std::string& endpoint() const { return endpoint_; }
    const std::string& key() const { return key_; }
    // The link a client in this process uses (the printed key and endpoint).
    discovery::tracker_link link() const;
    child_process& process() { return *process_; }

  private:
    std::unique_ptr<child_process> process_;
    std::string address_;
    std::string endpoint_;
    std::string key_;
};

// A peer made visible by discovery::presence in a child process; prints "presence ready" once
// running, exits 0 on SIGTERM after saying goodbye. `prefix` runs it inside e.g. a namespace.
struct presence_spec {
    presence_spec(std::string name_, std::string tracker_, bool lan_, uint16_t sender_port_,
                  std::string sender_host_ = "0.0.0.0",
                  std::vector<discovery::held_content> contents_ = {})
        : name(std::move(name_)),
          tracker(std::move(tracker_)),
          lan(lan_),
          sender_port(sender_port_),
          sender_host(std::move(sender_host_)),
          contents(std::move(contents_)) {}

    std::string name;
    std::string tracker;  // empty: no tracker
    bool lan = false;
    uint16_t sender_port = 7420;
    std::string sender_host = "0.0.0.0";
    std::vector<discovery::held_content> contents;
    std::vector<std::string> environment;
    std::vector<std::string> prefix;
};
std::unique_ptr<child_process> start_presence(const presence_spec& spec);

// Environment for child processes on the host: LAN traffic confined to loopback, on a port of
// this test run's own so concurrently running tests never hear each other.
std::vector<std::string> loopback_lan_environment();

// True if process `pid` holds an established TCP connection to `remote_port` (read from /proc,
// so it works for any child in our network namespace).
bool has_tcp_connection(pid_t pid, uint16_t remote_port);

// Deterministic pseudo-random bytes; and a whole file's bytes.
void write_test_file(const std::filesystem::path& path, size_t size, uint32_t seed);
std::string file_bytes(const std::filesystem::path& path);

// A scratch directory removed with everything in it.
class scratch_directory {
  public:
    scratch_directory();
    ~scratch_directory();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace xfer::test
