// The on-disk manifest cache: a hit only for the same file version, a miss for anything changed
// or unreadable, and never an error that stops serving.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "shared/manifest/manifest.hpp"
#include "shared/manifest/manifest_cache.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

struct stat stat_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info;
}

std::vector<uint8_t> manifest_for_size(uint64_t size) {
    manifest m;
    m.file_size = size;
    m.piece_size = choose_piece_size(size);
    m.piece_hashes.assign(piece_count_for(size, m.piece_size), sha256_digest{7});
    return encode_manifest(m);
}

TEST(ManifestCache, StoresAndFindsTheSameVersion) {
    test::sandbox box;
    const auto file = box.write("a.bin", test::pseudo_random_bytes(1000, 1));
    const manifest_cache cache(box / "home" / "cache" / "manifests");
    const auto info = stat_of(file);
    EXPECT_FALSE(cache.lookup(info));
    EXPECT_FALSE(std::filesystem::exists(box / "home")) << "nothing created by a lookup";
    const auto encoded = manifest_for_size(1000);
    cache.store(info, encoded);
    EXPECT_TRUE(std::filesystem::is_directory(box / "home" / "cache" / "manifests"))
        << "created on first store";
    for (const auto* created : {"home", "home/cache", "home/cache/manifests"}) {
        EXPECT_EQ(stat_of(box / created).st_mode & 0777, 0700u) << created;
    }
    const auto found = cache.lookup(info);
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, encoded);
}

TEST(ManifestCache, AnyChangeOfTheFileIsAMiss) {
    test::sandbox box;
    const auto file = box.write("a.bin", test::pseudo_random_bytes(1000, 1));
    const manifest_cache cache(box / "cache");
    const auto info = stat_of(file);
    cache.store(info, manifest_for_size(1000));
    for (const auto change : {&stat::st_ino, &stat::st_dev}) {
        auto other = info;
        other.*change += 1;
        EXPECT_FALSE(cache.lookup(other));
    }
    auto later = info;
    later.st_mtim.tv_nsec = (later.st_mtim.tv_nsec + 1) % 1000000000;
    EXPECT_FALSE(cache.lookup(later)) << "mtime, to the nanosecond";
    auto touched = info;
    touched.st_ctim.tv_sec += 1;
    EXPECT_FALSE(cache.lookup(touched)) << "ctime";
    auto longer = info;
    longer.st_size += 1;
    EXPECT_FALSE(cache.lookup(longer));
}

TEST(ManifestCache, EntriesThatDoNotFitTheFileAreIgnored) {
    test::sandbox box;
    const auto file = box.write("a.bin", test::pseudo_random_bytes(1000, 1));
    const manifest_cache cache(box / "cache");
    const auto info = stat_of(file);
    cache.store(info, manifest_for_size(999));
    EXPECT_FALSE(cache.lookup(info)) << "a manifest for another size";
    const std::vector<uint8_t> junk = {1, 2, 3};
    cache.store(info, junk);
    EXPECT_FALSE(cache.lookup(info)) << "not a manifest";
}

TEST(ManifestCache, NoDirectoryMeansNoCache) {
    test::sandbox box;
    const auto file = box.write("a.bin", test::pseudo_random_bytes(10, 1));
    const manifest_cache cache{std::filesystem::path()};
    const auto info = stat_of(file);
    cache.store(info, manifest_for_size(10));
    EXPECT_FALSE(cache.lookup(info));
}

TEST(ManifestCache, UnwritableCacheIsSilentlyUseless) {
    test::sandbox box;
    const auto file = box.write("a.bin", test::pseudo_random_bytes(10, 1));
    box.write("blocker", "a file where the cache folder should be");
    const manifest_cache cache(box / "blocker" / "manifests");
    const auto info = stat_of(file);
    cache.store(info, manifest_for_size(10));
    EXPECT_FALSE(cache.lookup(info));
}

}  // namespace
}  // namespace xfer
