// The identity on disk: made once (key and certificate, mode 600, in a mode 700 directory),
// the same ID on every later load, a new one after a reset, and clear errors for bad files.
#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <fstream>

#include "shared/identity/certificate.hpp"
#include "shared/identity/identity_store.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::identity {
namespace {

unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
}

std::string text_of(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(IdentityStore, CreatedOnFirstUseWithPrivateModes) {
    test::sandbox box;
    const auto config = box / "home" / "config";
    auto first = load_or_create_identity(config);
    ASSERT_TRUE(first) << first.error();
    EXPECT_TRUE(first->created);
    EXPECT_EQ(mode_of(config), 0700u);
    EXPECT_EQ(mode_of(config / "identity"), 0700u);
    EXPECT_EQ(mode_of(config / "identity" / "key.pem"), 0600u);
    EXPECT_EQ(mode_of(config / "identity" / "cert.pem"), 0600u);
    EXPECT_NE(text_of(config / "identity" / "key.pem").find("BEGIN PRIVATE KEY"),
              std::string::npos);
    // The certificate is self-signed by the key and carries it.
    EXPECT_EQ(X509_check_private_key(first->certificate.get(), first->key.get()), 1);
    EXPECT_EQ(X509_verify(first->certificate.get(), first->key.get()), 1) << "self-signed";
    EXPECT_EQ(EVP_PKEY_id(first->key.get()), EVP_PKEY_ED25519);
    EXPECT_EQ(first->id, peer_id_of_public_key(public_key_der(first->key.get())));
    size_t entries = 0;
    for ([[maybe_unused]] const auto& item : std::filesystem::directory_iterator(config)) ++entries;
    EXPECT_EQ(entries, 1u) << "no temporary directory left behind";
}

TEST(IdentityStore, TheSameIdOnEveryLoad) {
    test::sandbox box;
    const auto config = box / "config";
    const auto first = load_or_create_identity(config);
    ASSERT_TRUE(first) << first.error();
    const auto key_before = text_of(config / "identity" / "key.pem");
    for (int run = 0; run < 3; ++run) {
        const auto again = load_or_create_identity(config);
        ASSERT_TRUE(again) << again.error();
        EXPECT_FALSE(again->created);
        EXPECT_EQ(again->id, first->id);
    }
    EXPECT_EQ(text_of(config / "identity" / "key.pem"), key_before)
        << "loading never rewrites the key";
}

TEST(IdentityStore, TwoInstallationsHaveDifferentIds) {
    test::sandbox box;
    const auto a = load_or_create_identity(box / "a");
    const auto b = load_or_create_identity(box / "b");
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->id, b->id);
}

TEST(IdentityStore, ResetMakesANewIdAndKeepsThePreviousAside) {
    test::sandbox box;
    const auto config = box / "config";
    const auto old_identity = load_or_create_identity(config);
    ASSERT_TRUE(old_identity) << old_identity.error();
    const auto old_key = text_of(config / "identity" / "key.pem");
    const auto fresh = reset_identity(config);
    ASSERT_TRUE(fresh) << fresh.error();
    EXPECT_TRUE(fresh->created);
    EXPECT_NE(fresh->id, old_identity->id);
    EXPECT_EQ(load_or_create_identity(config)->id, fresh->id)
        << "the new one is what loads from now on";
    EXPECT_EQ(text_of(config / "identity.previous" / "key.pem"), old_key);
    ASSERT_TRUE(reset_identity(config)) << "a second reset replaces identity.previous";
    EXPECT_NE(text_of(config / "identity.previous" / "key.pem"), old_key);
    EXPECT_TRUE(reset_identity(box / "never-made")) << "reset without an identity just makes one";
}

TEST(IdentityStore, ACorruptKeyFileIsAClearError) {
    test::sandbox box;
    const auto config = box / "config";
    ASSERT_TRUE(load_or_create_identity(config));
    const auto key_path = config / "identity" / "key.pem";
    std::filesystem::remove(key_path);
    {
        std::ofstream out(key_path);
        out << "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n";
    }
    std::filesystem::permissions(key_path, std::filesystem::perms(0600));
    const auto loaded = load_or_create_identity(config);
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find(key_path.string()), std::string::npos) << loaded.error();
    EXPECT_NE(loaded.error().find("corrupt"), std::string::npos) << loaded.error();
    EXPECT_NE(loaded.error().find("xfer id --reset"), std::string::npos) << loaded.error();
    EXPECT_EQ(text_of(key_path).find("not base64"), 28u)
        << "a bad key is reported, never replaced silently";
}

TEST(IdentityStore, ResetRecoversFromACorruptOrMissingKey) {
    test::sandbox box;
    const auto config = box / "config";
    ASSERT_TRUE(load_or_create_identity(config));
    std::filesystem::remove(config / "identity" / "key.pem");
    const auto broken = load_or_create_identity(config);
    ASSERT_FALSE(broken);
    EXPECT_NE(broken.error().find("xfer id --reset"), std::string::npos) << broken.error();
    const auto fresh = reset_identity(config);
    ASSERT_TRUE(fresh) << fresh.error();
    EXPECT_TRUE(load_or_create_identity(config)) << "usable again";
}

TEST(IdentityStore, AKeyOthersCanReadIsRefused) {
    test::sandbox box;
    const auto config = box / "config";
    ASSERT_TRUE(load_or_create_identity(config));
    const auto key_path = config / "identity" / "key.pem";
    std::filesystem::permissions(key_path, std::filesystem::perms(0644));
    const auto loaded = load_or_create_identity(config);
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("0644"), std::string::npos) << loaded.error();
    EXPECT_NE(loaded.error().find("chmod 600"), std::string::npos) << loaded.error();
}

TEST(IdentityStore, AKeyOfAnotherIdentityDoesNotPassForItsCertificate) {
    test::sandbox box;
    ASSERT_TRUE(load_or_create_identity(box / "a"));
    ASSERT_TRUE(load_or_create_identity(box / "b"));
    std::filesystem::copy_file(box / "b" / "identity" / "key.pem",
                               box / "a" / "identity" / "key.pem",
                               std::filesystem::copy_options::overwrite_existing);
    const auto loaded = load_or_create_identity(box / "a");
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("is not the certificate of"), std::string::npos)
        << loaded.error();
}

TEST(IdentityStore, AMissingCertificateIsAnErrorNotANewIdentity) {
    test::sandbox box;
    ASSERT_TRUE(load_or_create_identity(box / "config"));
    std::filesystem::remove(box / "config" / "identity" / "cert.pem");
    const auto loaded = load_or_create_identity(box / "config");
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().find("cert.pem"), std::string::npos) << loaded.error();
}

}  // namespace
}  // namespace xfer::identity
