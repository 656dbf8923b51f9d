#include "shared/store/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"

namespace xfer {

std::error_code sync_directory(const std::filesystem::path& directory) {
    unique_fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return last_system_error();
    if (::fsync(fd.get()) != 0) return last_system_error();
    return {};
}

std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const uint8_t> data, bool durable, mode_t mode) {
    auto temporary = path;
    temporary += ".tmp" + std::to_string(::getpid());
    unique_fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) return last_system_error();
    size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const auto ec = last_system_error();
            ::unlink(temporary.c_str());
            return ec;
        }
        written += static_cast<size_t>(n);
    }
    if (durable && ::fsync(fd.get()) != 0) {
        const auto ec = last_system_error();
        ::unlink(temporary.c_str());
        return ec;
    }
    fd.reset();
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const auto ec = last_system_error();
        ::unlink(temporary.c_str());
        return ec;
    }
    if (durable) return sync_directory(path.parent_path());
    return {};
}

std::optional<std::vector<uint8_t>> read_small_file(const std::filesystem::path& path,
                                                    size_t max_size) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0 || static_cast<size_t>(info.st_size) > max_size)
        return std::nullopt;
    std::vector<uint8_t> bytes(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        done += static_cast<size_t>(n);
    }
    return bytes;
}

}  // namespace xfer
