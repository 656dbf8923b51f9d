#include "shared/store/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"

namespace xfer {

std::error_code sync_directory(const std::filesystem::path& directory) {
    unique_fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return last_system_error();
    if (::fsync(fd.get()) != 0) return last_system_error();
    return {};
}

namespace {

std::error_code write_all(int fd, std::span<const uint8_t> data) {
    size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            return last_system_error();
        }
        written += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace

std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const uint8_t> data, bool durable, mode_t mode) {
    const std::span<const uint8_t> parts[] = {data};
    return write_file_atomically(path, parts, durable, mode);
}

std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const std::span<const uint8_t>> parts, bool durable,
                                      mode_t mode) {
    auto temporary = path;
    temporary += ".tmp" + std::to_string(::getpid());
    unique_fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) return last_system_error();
    const auto failed = [&](std::error_code ec) {
        ::unlink(temporary.c_str());
        return ec;
    };
    for (const auto part : parts) {
        if (auto ec = write_all(fd.get(), part)) return failed(ec);
    }
    if (durable && ::fsync(fd.get()) != 0) return failed(last_system_error());
    fd.reset();
    if (::rename(temporary.c_str(), path.c_str()) != 0) return failed(last_system_error());
    if (durable) return sync_directory(path.parent_path());
    return {};
}

void remove_stale_temporaries(const std::filesystem::path& directory) {
    std::error_code ec;
    for (const auto& item : std::filesystem::directory_iterator(directory, ec)) {
        const auto name = item.path().filename().string();
        const auto mark = name.rfind(".tmp");
        if (mark == std::string::npos || mark + 4 == name.size()) continue;
        const auto digits = std::string_view(name).substr(mark + 4);
        if (digits.find_first_not_of("0123456789") != std::string_view::npos || digits.size() > 9)
            continue;
        const auto pid = static_cast<pid_t>(std::stol(std::string(digits)));
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
        std::filesystem::remove(item.path(), ec);
    }
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
