#include "tests/support/sandbox.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

namespace xfer::test {
namespace {

std::string test_label() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string label =
        info == nullptr ? "xfer" : std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : label) {
        if (c == '/' || c == ' ') c = '_';
    }
    return label.substr(0, 100);
}

}  // namespace

sandbox::sandbox() {
    const char* tmpdir = std::getenv("TMPDIR");
    const std::filesystem::path base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
    std::string pattern = (base / ("xfer-sandbox-" + test_label() + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
}

sandbox::~sandbox() {
    // A test may have made folders read-only to provoke errors: give write access back first,
    // or remove_all cannot empty them.
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(
             path_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec)) {
            std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                         std::filesystem::perm_options::add, ec);
        }
    }
    std::filesystem::remove_all(path_, ec);
}

std::filesystem::path sandbox::write(const std::filesystem::path& relative,
                                     std::span<const uint8_t> bytes) const {
    const auto target = path_ / relative;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + target.string());
    return target;
}

std::filesystem::path sandbox::write(const std::filesystem::path& relative,
                                     std::string_view text) const {
    return write(relative, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()),
                                                    text.size()));
}

std::vector<uint8_t> sandbox::read(const std::filesystem::path& relative) const {
    const auto target = path_ / relative;
    std::ifstream in(target, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + target.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool sandbox::exists(const std::filesystem::path& relative) const {
    std::error_code ec;
    return std::filesystem::exists(std::filesystem::symlink_status(path_ / relative, ec));
}

std::vector<uint8_t> pseudo_random_bytes(size_t count, uint64_t seed) {
    std::mt19937_64 generator(seed);
    std::vector<uint8_t> bytes(count);
    size_t i = 0;
    while (i < count) {
        uint64_t word = generator();
        for (int k = 0; k < 8 && i < count; ++k, word >>= 8)
            bytes[i++] = static_cast<uint8_t>(word);
    }
    return bytes;
}

size_t cached_pages(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat info {};
    if (fd < 0) return 0;
    void* map = MAP_FAILED;
    size_t size = 0;
    if (::fstat(fd, &info) == 0 && info.st_size > 0) {
        size = static_cast<size_t>(info.st_size);
        map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    }
    ::close(fd);
    if (map == MAP_FAILED) return 0;
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> resident((size + page - 1) / page);
    const bool ok = ::mincore(map, size, resident.data()) == 0;
    ::munmap(map, size);
    if (!ok) return 0;
    return static_cast<size_t>(
        std::count_if(resident.begin(), resident.end(), [](unsigned char v) { return v & 1; }));
}

}  // namespace xfer::test
