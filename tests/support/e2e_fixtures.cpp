#include "tests/support/e2e_fixtures.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "shared/core/fd.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/content_geometry.hpp"
#include "shared/store/resume_state.hpp"

namespace xfer::test {
namespace {

std::vector<uint8_t> read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// ---- running xfer ----

std::vector<std::string> command_result::error_lines() const {
    std::vector<std::string> lines;
    for (auto& line : lines_of(err)) {
        if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(std::move(line));
    }
    return lines;
}

std::vector<std::string> xfer_command(const std::vector<std::string>& args) {
    std::vector<std::string> argv{XFER_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

mutual_fetches start_mutual_fetches(const std::string& path, const std::string& a_dir,
                                    const std::string& b_dir) {
    const uint16_t a_port = pick_free_port();
    uint16_t b_port = pick_free_port();
    while (b_port == a_port) b_port = pick_free_port();
    const auto a_address = "127.0.0.1:" + std::to_string(a_port);
    const auto b_address = "127.0.0.1:" + std::to_string(b_port);
    return {std::make_unique<child_process>(
                xfer_command({"fetch", b_address, path, "-o", a_dir, "--listen", a_address})),
            std::make_unique<child_process>(
                xfer_command({"fetch", a_address, path, "-o", b_dir, "--listen", b_address}))};
}

command_result run_program(const std::vector<std::string>& argv,
                           std::chrono::milliseconds timeout) {
    child_process child(argv);
    command_result result;
    result.status = child.wait(timeout);
    if (!result.status) {
        child.send_signal(SIGKILL);
        (void)child.wait(10s);
    }
    result.out = child.stdout_text();
    result.err = child.stderr_text();
    result.description =
        child.describe() + (result.status ? "" : "\n(killed: still running after the timeout)");
    return result;
}

command_result run_xfer(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    return run_program(xfer_command(args), timeout);
}

::testing::AssertionResult failed_saying(const command_result& result,
                                         const std::vector<std::string>& needles,
                                         std::optional<int> status) {
    const bool failure_status =
        result.status && (*result.status == 1 || (*result.status >= 3 && *result.status <= 7));
    if (status ? result.status != status : !failure_status) {
        return ::testing::AssertionFailure()
               << "expected exit status " << (status ? std::to_string(*status) : "1 or 3..7")
               << "\n"
               << result.describe();
    }
    const auto lines = result.error_lines();
    if (lines.empty())
        return ::testing::AssertionFailure() << "nothing on stderr\n" << result.describe();
    for (const auto& needle : needles) {
        if (lines.back().find(needle) == std::string::npos) {
            return ::testing::AssertionFailure()
                   << "the error line does not mention '" << needle << "': " << lines.back() << "\n"
                   << result.describe();
        }
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult single_error_line(const command_result& result) {
    const auto lines = result.error_lines();
    if (lines.size() == 1) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "expected exactly one stderr line, got " << lines.size() << ":\n"
           << result.err;
}

xfer_server::xfer_server(const std::filesystem::path& directory,
                         std::vector<std::string> extra_args) {
    std::vector<std::string> args{"serve", directory.string(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<child_process>(xfer_command(args));
    const auto line = process_->wait_for_line("serving ", startup_timeout);
    if (!line) throw std::runtime_error("xfer serve did not start:\n" + process_->describe());
    address_ = last_word(*line);
    port_ = port_of(address_);
    if (port_ == 0) throw std::runtime_error("cannot read the port from '" + *line + "'");
}

void xfer_server::kill_hard() {
    process_->send_signal(SIGKILL);
    (void)process_->wait(30s);
}

int xfer_server::stop() {
    return process_->stop();
}

uint16_t port_of(std::string_view address) {
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos) return 0;
    unsigned value = 0;
    const auto text = address.substr(colon + 1);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && end == text.data() + text.size() && value <= 65535
               ? static_cast<uint16_t>(value)
               : 0;
}

// ---- what a fetch reports ----

std::optional<uint64_t> downloaded_bytes(std::string_view fetch_stdout) {
    auto at = fetch_stdout.find(" bytes downloaded");
    if (at == std::string_view::npos) at = fetch_stdout.find(" byte downloaded");  // just 1
    if (at == std::string_view::npos) return std::nullopt;
    auto start = at;
    while (start > 0 && fetch_stdout[start - 1] >= '0' && fetch_stdout[start - 1] <= '9') --start;
    uint64_t value = 0;
    const auto [end, ec] =
        std::from_chars(fetch_stdout.data() + start, fetch_stdout.data() + at, value);
    if (ec != std::errc{} || start == at) return std::nullopt;
    return value;
}

// ---- files ----

std::filesystem::path write_random_file(const std::filesystem::path& path, uint64_t size,
                                        uint64_t seed) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::mt19937_64 generator(seed);
    std::vector<uint64_t> chunk(128 * 1024);
    uint64_t left = size;
    while (left > 0) {
        for (auto& word : chunk) word = generator();
        const uint64_t take = std::min<uint64_t>(left, chunk.size() * sizeof(uint64_t));
        out.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(take));
        left -= take;
    }
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path.string());
    return path;
}

std::string file_difference(const std::filesystem::path& expected,
                            const std::filesystem::path& actual) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(expected, ec))
        return expected.string() + " is not a regular file";
    if (!std::filesystem::is_regular_file(actual, ec))
        return actual.string() + " is missing or not a regular file";
    const auto expected_size = std::filesystem::file_size(expected, ec);
    const auto actual_size = std::filesystem::file_size(actual, ec);
    if (expected_size != actual_size) {
        return "sizes differ: " + std::to_string(expected_size) + " expected, " +
               std::to_string(actual_size) + " in " + actual.string();
    }
    std::ifstream a(expected, std::ios::binary), b(actual, std::ios::binary);
    std::vector<char> chunk_a(1 << 20), chunk_b(1 << 20);
    uint64_t offset = 0;
    while (a && b) {
        a.read(chunk_a.data(), static_cast<std::streamsize>(chunk_a.size()));
        b.read(chunk_b.data(), static_cast<std::streamsize>(chunk_b.size()));
        const auto got = a.gcount();
        if (got != b.gcount()) return "read error comparing " + actual.string();
        const auto mismatch =
            std::mismatch(chunk_a.begin(), chunk_a.begin() + got, chunk_b.begin());
        if (mismatch.first != chunk_a.begin() + got) {
            return "first difference at byte " +
                   std::to_string(offset + (mismatch.first - chunk_a.begin())) + " of " +
                   actual.string();
        }
        offset += static_cast<uint64_t>(got);
        if (got == 0) break;
    }
    return {};
}

std::map<std::string, std::string> snapshot_tree(
    const std::filesystem::path& root, const std::vector<std::filesystem::path>& excluded) {
    std::map<std::string, std::string> entries;
    std::error_code ec;
    auto it = std::filesystem::recursive_directory_iterator(
        root, std::filesystem::directory_options::skip_permission_denied, ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto& path = it->path();
        if (std::find(excluded.begin(), excluded.end(), path) != excluded.end()) {
            if (it->is_directory(ec) && !it->is_symlink(ec)) it.disable_recursion_pending();
            continue;
        }
        struct stat info {};
        if (::lstat(path.c_str(), &info) != 0) continue;
        std::string description = S_ISDIR(info.st_mode)   ? "dir"
                                  : S_ISLNK(info.st_mode) ? "link"
                                  : S_ISREG(info.st_mode) ? "file " + std::to_string(info.st_size)
                                                          : "other";
        // Directories change mtime when anything inside changes; the entries themselves say that.
        if (!S_ISDIR(info.st_mode)) {
            description += " mtime " + std::to_string(info.st_mtim.tv_sec) + "." +
                           std::to_string(info.st_mtim.tv_nsec);
        }
        entries[std::filesystem::relative(path, root, ec).string()] = description;
    }
    return entries;
}

namespace {

// Each resume state under `output_dir` with the pieces it has on record.
std::vector<std::pair<manifest, std::set<uint32_t>>> recorded_states(
    const std::filesystem::path& output_dir) {
    std::vector<std::pair<manifest, std::set<uint32_t>>> states;
    std::error_code ec;
    for (const auto& item :
         std::filesystem::directory_iterator(output_dir / ".xfer" / "partial", ec)) {
        if (item.path().extension() != ".state") continue;
        auto state = decode_resume_state(read_all(item.path()));
        if (!state) continue;
        auto m = decode_content_geometry(state->encoded_manifest);
        if (!m) continue;
        std::set<uint32_t> pieces;
        for (uint32_t piece = 0; piece < m->piece_count(); ++piece) {
            if (piece / 8 < state->bitfield.size() &&
                (state->bitfield[piece / 8] & (0x80 >> (piece % 8)))) {
                pieces.insert(piece);
            }
        }
        auto journal = item.path();
        journal.replace_extension(".journal");
        for (const auto piece : piece_journal::read(journal, m->piece_count()))
            pieces.insert(piece);
        states.emplace_back(std::move(*m), std::move(pieces));
    }
    return states;
}

}  // namespace

uint32_t recorded_pieces(const std::filesystem::path& output_dir) {
    size_t count = 0;
    for (const auto& [geometry, pieces] : recorded_states(output_dir)) count += pieces.size();
    return static_cast<uint32_t>(count);
}

uint64_t recorded_bytes(const std::filesystem::path& output_dir) {
    uint64_t bytes = 0;
    for (const auto& [geometry, pieces] : recorded_states(output_dir))
        for (const auto piece : pieces) bytes += geometry.piece_length(piece);
    return bytes;
}

// ---- environment ----

bool running_as_root() {
    return ::geteuid() == 0;
}

uint16_t pick_free_port() {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
    }
    return ntohs(address.sin_port);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

scoped_tmpfs::scoped_tmpfs(const std::filesystem::path& target, const std::string& options,
                           bool read_only)
    : target_(target) {
    std::error_code ec;
    std::filesystem::create_directories(target, ec);
    const unsigned long flags = MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0);
    if (::mount("tmpfs", target.c_str(), "tmpfs", flags, options.c_str()) == 0) {
        mounted_ = true;
    } else {
        error_ = "mount -t tmpfs " + target.string() + ": " + std::strerror(errno);
    }
}

scoped_tmpfs::~scoped_tmpfs() {
    if (mounted_) ::umount2(target_.c_str(), MNT_DETACH);
}

}  // namespace xfer::test
