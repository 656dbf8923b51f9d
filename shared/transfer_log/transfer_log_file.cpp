#include "shared/transfer_log/transfer_log_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "shared/core/fd.hpp"
#include "shared/core/xfer_home.hpp"

namespace xfer::transfer_log {
namespace {

std::error_code last_error() {
    return {errno, std::system_category()};
}

unique_fd open_for_append(const std::filesystem::path& path) {
    return unique_fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
}

std::error_code write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
}

// Reads `path` line by line; a line longer than max_line_bytes (not ours) is skipped whole.
void visit_file(const std::filesystem::path& path, const record_visitor& each) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > max_line_bytes) continue;
        if (const auto record = decode_line(line)) each(*record);
    }
}

}  // namespace

std::filesystem::path current_file(const std::filesystem::path& state_directory) {
    return state_directory / "transfers.log";
}

std::filesystem::path rotated_file(const std::filesystem::path& state_directory) {
    return state_directory / "transfers.log.1";
}

transfer_log_file::transfer_log_file(std::filesystem::path state_directory, uint64_t rotate_bytes)
    : directory_(std::move(state_directory)), rotate_bytes_(rotate_bytes) {}

std::error_code transfer_log_file::append(const transfer_record& record) const {
    if (auto ec = ensure_private_directory(directory_)) return ec;
    const auto path = current_file(directory_);
    unique_fd fd = open_for_append(path);
    if (!fd) return last_error();
    // Held until the line is written: a rotation by another process waits for it.
    if (::flock(fd.get(), LOCK_EX) != 0) return last_error();
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) return last_error();
    struct stat named {};
    const bool renamed_meanwhile = ::stat(path.c_str(), &named) != 0 || named.st_ino != info.st_ino;
    if (renamed_meanwhile || static_cast<uint64_t>(info.st_size) >= rotate_bytes_) {
        // Rotate (unless another process just did): this line starts the new file.
        if (!renamed_meanwhile && ::rename(path.c_str(), rotated_file(directory_).c_str()) != 0)
            return last_error();
        fd = open_for_append(path);
        if (!fd || ::flock(fd.get(), LOCK_EX) != 0) return last_error();
    }
    return write_all(fd.get(), encode_line(record) + "\n");
}

void read_transfer_log(const std::filesystem::path& state_directory, const record_visitor& each) {
    visit_file(rotated_file(state_directory), each);
    visit_file(current_file(state_directory), each);
}

}  // namespace xfer::transfer_log
