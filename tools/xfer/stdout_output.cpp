#include "tools/xfer/stdout_output.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "shared/core/fd.hpp"
#include "shared/core/ids.hpp"
#include "shared/hash/sha256.hpp"

namespace xfer::cli {
namespace {

std::error_code last_error() {
    return {errno, std::generic_category()};
}

std::error_code write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        data += n;
        size -= static_cast<size_t>(n);
    }
    return {};
}

// For outputs sendfile does not take (a terminal on some kernels, an O_APPEND file).
std::error_code copy_by_reading(int in, off_t from) {
    std::array<char, 1 << 16> buffer{};
    for (;;) {
        const ssize_t n = ::pread(in, buffer.data(), buffer.size(), from);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        if (n == 0) return {};
        if (auto ec = write_all(STDOUT_FILENO, buffer.data(), static_cast<size_t>(n))) return ec;
        from += n;
    }
}

}  // namespace

std::filesystem::path stdout_staging(const std::filesystem::path& cache_dir,
                                     const std::vector<std::string>& sources,
                                     const std::string& remote_path) {
    std::string key;
    for (const auto& source : sources) key += source + '\n';
    key += remote_path;
    const auto digest = sha256(std::span(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
    return cache_dir / "stdout" / to_hex(digest).substr(0, 32);
}

std::error_code copy_to_stdout(const std::filesystem::path& file) {
    unique_fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return last_error();
    struct stat info {};
    if (::fstat(in.get(), &info) != 0) return last_error();
    off_t offset = 0;
    while (offset < info.st_size) {
        const ssize_t n = ::sendfile(STDOUT_FILENO, in.get(), &offset,
                                     static_cast<size_t>(info.st_size - offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EINVAL || errno == ENOSYS)) return copy_by_reading(in.get(), offset);
        if (n < 0) return last_error();
        if (n == 0) break;  // the file shrank: not ours to pad
    }
    return {};
}

}  // namespace xfer::cli
