#include "shared/identity/identity_store.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/core/xfer_home.hpp"
#include "shared/identity/certificate.hpp"
#include "shared/store/atomic_file.hpp"

namespace xfer::identity {
namespace {

constexpr const char* key_file = "key.pem";
constexpr const char* certificate_file = "cert.pem";
constexpr size_t max_pem_size = 64 * 1024;

// Bytes that must not outlive their use: wiped on destruction.
struct wiped_bytes {
    std::vector<char> bytes;
    ~wiped_bytes() {
        if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
    }
};

std::string system_error_text() {
    return std::strerror(errno);
}

std::expected<void, std::string> write_private_file(const std::filesystem::path& path,
                                                    std::string_view data) {
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return std::unexpected("cannot create " + path.string() + ": " + system_error_text());
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return std::unexpected("cannot write " + path.string() + ": " + system_error_text());
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0)
        return std::unexpected("cannot write " + path.string() + ": " + system_error_text());
    return {};
}

// The whole file; fails on anything but a regular file of sane size. `private_file`: also fails
// when group or others may read it (as ssh refuses such a key).
std::expected<wiped_bytes, std::string> read_identity_file(const std::filesystem::path& path,
                                                           bool private_file) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return std::unexpected("cannot open " + path.string() + ": " + system_error_text());
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode) ||
        info.st_size > static_cast<off_t>(max_pem_size)) {
        return std::unexpected(path.string() + " is not a small regular file");
    }
    if (private_file && (info.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
        return std::unexpected(path.string() + " may be read by other users (mode " + mode +
                               "): run 'chmod 600 " + path.string() +
                               "' if it was not read, else 'xfer id --reset'");
    }
    wiped_bytes data;
    data.bytes.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < data.bytes.size()) {
        const ssize_t n = ::read(fd.get(), data.bytes.data() + done, data.bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return std::unexpected("cannot read " + path.string() + ": " + system_error_text());
        done += static_cast<size_t>(n);
    }
    return data;
}

std::expected<local_identity, std::string> load_identity(const std::filesystem::path& directory) {
    const auto key_path = directory / key_file;
    const auto certificate_path = directory / certificate_file;
    const std::string way_out =
        " ('xfer id --reset' makes a new identity; peers that knew this one must pair again)";
    auto key_bytes = read_identity_file(key_path, /*private_file=*/true);
    if (!key_bytes) {
        // A key others may read has its own advice; any other failure: start over.
        const bool too_open = key_bytes.error().find("chmod") != std::string::npos;
        return std::unexpected(key_bytes.error() + (too_open ? "" : way_out));
    }
    auto key = parse_private_key_pem(key_bytes->bytes);
    if (!key)
        return std::unexpected("xfer's private key " + key_path.string() +
                               " is corrupt: " + key.error() + way_out);
    auto certificate_bytes = read_identity_file(certificate_path, /*private_file=*/false);
    if (!certificate_bytes) return std::unexpected(certificate_bytes.error() + way_out);
    auto certificate = parse_certificate_pem(certificate_bytes->bytes);
    if (!certificate) {
        return std::unexpected("xfer's certificate " + certificate_path.string() +
                               " is corrupt: " + certificate.error() + way_out);
    }
    if (X509_check_private_key(certificate->get(), key->get()) != 1) {
        openssl_error_text();  // clears the queue
        return std::unexpected(certificate_path.string() + " is not the certificate of " +
                               key_path.string() + way_out);
    }
    const auto der = public_key_der(key->get());
    if (der.empty()) return std::unexpected("cannot encode the public key of " + key_path.string());
    return local_identity{std::move(*key), std::move(*certificate), peer_id_of_public_key(der),
                          false};
}

// Writes a new key and certificate into a fresh temporary directory beside `final_directory`.
std::expected<std::filesystem::path, std::string> write_new_identity(
    const std::filesystem::path& config_dir) {
    auto key = generate_ed25519_key();
    if (!key) return std::unexpected(key.error());
    auto certificate = make_self_signed_certificate(key->get());
    if (!certificate) return std::unexpected(certificate.error());
    auto key_pem = private_key_pem(key->get());
    if (!key_pem) return std::unexpected(key_pem.error());
    wiped_bytes key_text{std::vector<char>(key_pem->begin(), key_pem->end())};
    OPENSSL_cleanse(key_pem->data(), key_pem->size());
    const auto certificate_text = certificate_pem(certificate->get());
    if (!certificate_text) return std::unexpected(certificate_text.error());

    std::string pattern = (config_dir / ".identity-new-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {  // mode 700
        return std::unexpected("cannot create a directory in " + config_dir.string() + ": " +
                               system_error_text());
    }
    const std::filesystem::path temporary(pattern);
    auto written =
        write_private_file(temporary / key_file, {key_text.bytes.data(), key_text.bytes.size()});
    if (written) written = write_private_file(temporary / certificate_file, *certificate_text);
    if (written && sync_directory(temporary))
        written = std::unexpected("cannot sync " + temporary.string());
    if (!written) {
        std::error_code ignored;
        std::filesystem::remove_all(temporary, ignored);
        return std::unexpected(written.error());
    }
    return temporary;
}

std::expected<local_identity, std::string> create_identity(
    const std::filesystem::path& config_dir) {
    const auto final_directory = config_dir / "identity";
    auto temporary = write_new_identity(config_dir);
    if (!temporary) return std::unexpected(temporary.error());
    // rename(2) onto an existing non-empty directory fails: whoever got there first wins.
    const bool won = ::rename(temporary->c_str(), final_directory.c_str()) == 0;
    const int rename_error = errno;
    if (!won) {
        std::error_code ignored;
        std::filesystem::remove_all(*temporary, ignored);
        if (rename_error != EEXIST && rename_error != ENOTEMPTY) {
            return std::unexpected("cannot create " + final_directory.string() + ": " +
                                   std::strerror(rename_error));
        }
    }
    (void)sync_directory(config_dir);
    auto loaded = load_identity(final_directory);
    if (loaded) loaded->created = won;
    return loaded;
}

}  // namespace

std::expected<local_identity, std::string> load_or_create_identity(
    const std::filesystem::path& config_dir) {
    if (auto ec = ensure_private_directory(config_dir)) {
        return std::unexpected("cannot create " + config_dir.string() + ": " + ec.message());
    }
    const auto directory = config_dir / "identity";
    struct stat info {};
    if (::lstat(directory.c_str(), &info) == 0) return load_identity(directory);
    if (errno != ENOENT)
        return std::unexpected("cannot read " + directory.string() + ": " + system_error_text());
    return create_identity(config_dir);
}

std::expected<local_identity, std::string> reset_identity(const std::filesystem::path& config_dir) {
    if (auto ec = ensure_private_directory(config_dir)) {
        return std::unexpected("cannot create " + config_dir.string() + ": " + ec.message());
    }
    const auto current = config_dir / "identity";
    const auto previous = config_dir / "identity.previous";
    std::error_code ec;
    if (std::filesystem::exists(current, ec)) {
        std::filesystem::remove_all(previous, ec);
        if (ec) return std::unexpected("cannot remove " + previous.string() + ": " + ec.message());
        std::filesystem::rename(current, previous, ec);
        if (ec)
            return std::unexpected("cannot move " + current.string() + " aside: " + ec.message());
    }
    return create_identity(config_dir);
}

std::string display_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "xfer";
    return name;
}

}  // namespace xfer::identity
