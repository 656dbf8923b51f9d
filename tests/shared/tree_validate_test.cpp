// Hostile tree manifests: every rule that keeps a recreated tree inside its root, checked both by
// validate() and by the decoder on the encoded bytes, each with the error that names the rule.
#include <gtest/gtest.h>

#include <string>

#include "shared/core/error.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "tests/shared/tree_fixture.hpp"

namespace xfer::tree {
namespace {

using test::dir;
using test::file;
using test::link;
using test::make_tree;

// The error validate() gives, after checking that the decoder gives the same one.
std::error_code rejection(std::vector<entry> entries, size_t* failing = nullptr) {
    const auto m = make_tree(std::move(entries));
    const auto decoded = decode_tree_manifest(encode_tree_manifest(m));
    const auto ec = validate(m, failing);
    EXPECT_FALSE(decoded.has_value()) << "decoder accepted what validate() says: " << ec.message();
    if (!decoded) {
        EXPECT_EQ(decoded.error(), ec);
    }
    return ec;
}

TEST(TreeValidate, AcceptsAWellFormedTree) {
    const auto m = make_tree({dir("a"), dir("a/b"), file("a/b/c", 10), link("a/b/up", "../.."),
                              link("a/sib", "b/c"), file("a-b", 1), file("a.txt", 2)});
    EXPECT_FALSE(validate(m));
    EXPECT_TRUE(decode_tree_manifest(encode_tree_manifest(m)));
}

TEST(TreeValidate, RejectsDuplicateNames) {
    size_t failing = 0;
    EXPECT_EQ(rejection({file("a", 1), file("a", 1)}, &failing), errc::tree_entry_order);
    EXPECT_EQ(failing, 1u);
    EXPECT_EQ(rejection({dir("d"), file("d/x", 1), file("d/x", 2)}), errc::tree_entry_order);
}

TEST(TreeValidate, RejectsAPathAsFileAndAsDirectory) {
    // Listed twice with two kinds: a repeat, whichever comes first.
    EXPECT_EQ(rejection({file("a", 1), dir("a")}), errc::tree_entry_order);
    EXPECT_EQ(rejection({dir("a"), file("a", 1)}), errc::tree_entry_order);
    // A file, then something under it as if it were a directory.
    size_t failing = 0;
    EXPECT_EQ(rejection({file("a", 1), file("a/b", 1)}, &failing), errc::tree_parent_not_directory);
    EXPECT_EQ(failing, 1u);
}

TEST(TreeValidate, RejectsAPathThroughAnEarlierSymlink) {
    // The rsync CVE-2024-12087 / Syncthing CVE-2017-1000420 shape: "l" -> somewhere, then
    // "l/x", whose write would follow the link.
    EXPECT_EQ(rejection({link("l", "d"), file("l/x", 1)}), errc::tree_path_through_symlink);
    EXPECT_EQ(rejection({dir("d"), link("d/l", "."), dir("d/l/e")}),
              errc::tree_path_through_symlink);
    // Through a symlink that points inside: still refused (the link is not a directory).
    EXPECT_EQ(rejection({dir("d"), link("e", "d"), file("e/x", 1)}),
              errc::tree_path_through_symlink);
}

TEST(TreeValidate, RejectsMissingParents) {
    EXPECT_EQ(rejection({file("a/b", 1)}), errc::tree_parent_missing);
    EXPECT_EQ(rejection({dir("a"), file("a/b/c", 1)}), errc::tree_parent_missing);
    // The parent exists but in the wrong place (after the child): out of order.
    EXPECT_EQ(rejection({file("a/b", 1), dir("a")}), errc::tree_parent_missing);
}

TEST(TreeValidate, RejectsEntriesOutOfCanonicalOrder) {
    EXPECT_EQ(rejection({file("b", 1), file("a", 1)}), errc::tree_entry_order);
    // Plain byte order would put "a-b" before "a/x"; the canonical order keeps a's subtree whole.
    EXPECT_EQ(rejection({dir("a"), file("a-b", 1), file("a/x", 1)}), errc::tree_entry_order);
    EXPECT_TRUE(path_less("a/x", "a-b"));
    EXPECT_TRUE(path_less("a", "a/x"));
    EXPECT_FALSE(path_less("a/x", "a"));
}

TEST(TreeValidate, RejectsUncleanPaths) {
    const std::vector<std::string> bad_paths{"/etc",
                                             "..",
                                             "a/..",
                                             "../x",
                                             ".",
                                             "a/./b",
                                             "a//b",
                                             "a/",
                                             std::string("a\0b", 3),
                                             "a\nb",
                                             "\x1b[31m",
                                             ".xfer",
                                             "x.xfer-part",
                                             std::string(256, 'n')};
    for (const auto& bad : bad_paths) {
        size_t failing = 99;
        EXPECT_EQ(rejection({dir("a"), file(bad, 1)}, &failing), errc::tree_path_invalid)
            << "accepted " << bad;
    }
    EXPECT_EQ(rejection({file("", 1)}), errc::tree_path_invalid);
    EXPECT_FALSE(validate(make_tree({file(std::string(255, 'n'), 1)})));
}

TEST(TreeValidate, RejectsEscapingSymlinks) {
    EXPECT_EQ(rejection({link("l", "/etc/passwd")}), errc::tree_symlink_escapes);
    EXPECT_EQ(rejection({link("l", "..")}), errc::tree_symlink_escapes);
    EXPECT_EQ(rejection({dir("a"), link("a/l", "../..")}), errc::tree_symlink_escapes);
    EXPECT_EQ(rejection({dir("a"), link("a/l", "./../x/../..")}), errc::tree_symlink_escapes);
    // rsync CVE-2024-12088's shape: ".." hidden behind a name, which might itself be a symlink
    // ("b" -> "..", then "b/../x" would leave the tree though it looks confined).
    EXPECT_EQ(rejection({dir("a"), link("a/b", ".."), link("a/l", "b/../x")}),
              errc::tree_symlink_escapes);
    EXPECT_EQ(rejection({link("l", "x/../y")}), errc::tree_symlink_escapes);
    // Inside: up to the root and back down, ".", redundant slashes.
    EXPECT_FALSE(validate(make_tree({dir("a"), dir("a/b"), link("a/b/l", "../../a//./b")})));
    EXPECT_FALSE(validate(make_tree({link("self", ".")})));
}

TEST(TreeValidate, RejectsBadFields) {
    auto setuid = file("f", 1, 04755);
    EXPECT_EQ(rejection({setuid}), errc::tree_entry_invalid);
    auto sized_dir = dir("d");
    sized_dir.size = 5;
    EXPECT_EQ(validate(make_tree({sized_dir})), errc::tree_entry_invalid);
    auto moded_link = link("l", "x");
    moded_link.mode = 0777;
    EXPECT_EQ(rejection({moded_link}), errc::tree_entry_invalid);
    EXPECT_EQ(rejection({link("l", "")}), errc::tree_entry_invalid);
    EXPECT_EQ(rejection({link("l", std::string("a\0b", 3))}), errc::tree_entry_invalid);
    auto targeted_file = file("f", 1);
    targeted_file.link_target = "x";
    EXPECT_EQ(validate(make_tree({targeted_file})), errc::tree_entry_invalid);
}

TEST(TreeValidate, RejectsMoreBytesThanMaxPiecesCanCarry) {
    auto m = make_tree({file("a", 1)});
    m.entries = {file("a", uint64_t{131072} * m.piece_size + 1)};
    m.piece_hashes.clear();
    EXPECT_EQ(validate(m), errc::tree_too_large);
    // Two sizes whose sum wraps around 64 bits are caught before they add up.
    m.entries = {file("a", ~uint64_t{0} - 5), file("b", 10)};
    EXPECT_EQ(validate(m), errc::tree_too_large);
}

TEST(TreeValidate, HashCountMustMatchOrBeEmpty) {
    auto m = make_tree({file("a", 600'000)});
    EXPECT_FALSE(validate(m));
    m.piece_hashes.pop_back();
    EXPECT_EQ(validate(m), errc::manifest_invalid);
    m.piece_hashes.clear();
    EXPECT_FALSE(validate(m));
}

}  // namespace
}  // namespace xfer::tree
