#include "tests/support/discovery_fixtures.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

#include "shared/identity/certificate.hpp"

namespace xfer::test {

std::shared_ptr<const discovery::lan::datagram_signer> fresh_signer() {
    auto key = identity::generate_ed25519_key();
    if (!key) throw std::runtime_error(key.error());
    return std::make_shared<const discovery::lan::datagram_signer>(key->get());
}

peer_id test_peer_id(uint8_t seed) {
    peer_id id{};
    id.fill(seed);
    id[0] = 0xA0;
    return id;
}

content_id test_content_id(uint8_t seed) {
    content_id id{};
    id.fill(seed);
    id[0] = 0xC0;
    return id;
}

discovery::held_content test_content(const std::string& path, uint8_t seed, uint64_t size,
                                     uint32_t pieces_had, uint32_t piece_count) {
    return {test_content_id(seed), path, size, pieces_had, piece_count};
}

discovery::peer_record test_record(uint8_t seed, const std::string& name, uint16_t port,
                                   std::vector<discovery::held_content> contents) {
    return {
        test_peer_id(seed), name, {"10.0.0." + std::to_string(seed), port}, std::move(contents)};
}

std::string contents_argument(const std::vector<discovery::held_content>& contents) {
    std::string out;
    for (const auto& c : contents) {
        if (!out.empty()) out += ";";
        out += c.path + "|" + std::to_string(c.id[1]) + "|" + std::to_string(c.size) + "|" +
               std::to_string(c.pieces_had) + "|" + std::to_string(c.piece_count);
    }
    return out;
}

tracker_process::tracker_process(std::vector<std::string> extra_arguments,
                                 std::vector<std::string> prefix) {
    std::vector<std::string> argv = std::move(prefix);
    argv.insert(argv.end(), {XFER_BINARY, "tracker", "--listen", "127.0.0.1:0"});
    argv.insert(argv.end(), extra_arguments.begin(), extra_arguments.end());
    process_ = std::make_unique<child_process>(argv);
    const auto line = process_->wait_for_line("clients: --tracker ", discovery_deadline);
    if (!line) throw std::runtime_error("tracker did not start\n" + process_->describe());
    address_ = last_word(*line);
    const auto at = address_.find('@');
    key_ = address_.substr(0, at);
    endpoint_ = address_.substr(at + 1);
}

discovery::tracker_link tracker_process::link() const {
    return {
        net::parse_endpoint(endpoint_, 0).value(), discovery::parse_tracker_key(key_).value(), {}};
}

std::unique_ptr<child_process> start_presence(const presence_spec& spec) {
    std::vector<std::string> argv = spec.prefix;
    argv.push_back(std::filesystem::read_symlink("/proc/self/exe").string());
    process_options options;
    options.environment = spec.environment;
    options.environment.insert(
        options.environment.end(),
        {"XFER_TEST_PRESENCE_NAME=" + spec.name, "XFER_TEST_PRESENCE_TRACKER=" + spec.tracker,
         "XFER_TEST_PRESENCE_LAN=" + std::string(spec.lan ? "1" : "0"),
         "XFER_TEST_PRESENCE_SENDER=" + spec.sender_host + ":" + std::to_string(spec.sender_port),
         "XFER_TEST_PRESENCE_CONTENTS=" + contents_argument(spec.contents)});
    return std::make_unique<child_process>(argv, options);
}

std::vector<std::string> loopback_lan_environment() {
    // Ports 30000..59999 by process id: tests running at the same time use different ones.
    const auto port = 30000 + static_cast<int>(::getpid()) % 30000;
    return {"XFER_LAN_INTERFACES=lo", "XFER_LAN_PORT=" + std::to_string(port)};
}

bool has_tcp_connection(pid_t pid, uint16_t remote_port) {
    const std::filesystem::path proc = "/proc/" + std::to_string(pid);
    std::set<std::string> inodes;
    for (const char* table : {"net/tcp", "net/tcp6"}) {
        std::ifstream in(proc / table);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
                timeout >> inode;
            const auto colon = remote.rfind(':');
            if (colon == std::string::npos || state != "01") continue;  // 01: ESTABLISHED
            if (std::stoul(remote.substr(colon + 1), nullptr, 16) == remote_port)
                inodes.insert(inode);
        }
    }
    std::error_code ec;
    for (const auto& fd : std::filesystem::directory_iterator(proc / "fd", ec)) {
        const auto target = std::filesystem::read_symlink(fd.path(), ec).string();
        if (target.starts_with("socket:[") && inodes.contains(target.substr(8, target.size() - 9)))
            return true;
    }
    return false;
}

void write_test_file(const std::filesystem::path& path, size_t size, uint32_t seed) {
    std::mt19937 generator(seed);
    std::string bytes(size, '\0');
    for (auto& byte : bytes) byte = static_cast<char>(generator());
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

scratch_directory::scratch_directory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "xfer-discovery-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

scratch_directory::~scratch_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace xfer::test
