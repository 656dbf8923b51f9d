#include "shared/discovery/tracker_key.hpp"

#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "shared/core/xfer_home.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/store/atomic_file.hpp"

namespace xfer::discovery {
namespace {

constexpr size_t z85_key_length = 40;

std::string z85_of(const tracker_key& key) {
    std::array<char, z85_key_length + 1> text{};
    zmq_z85_encode(text.data(), key.bytes.data(), key.bytes.size());
    return {text.data(), z85_key_length};
}

// The public half of a Z85 secret, or nullopt when `secret` is not a Z85 key.
std::optional<tracker_key> public_of(const char* secret_z85) {
    std::array<char, z85_key_length + 1> public_z85{};
    if (zmq_curve_public(public_z85.data(), secret_z85) != 0) return std::nullopt;
    tracker_key key;
    if (zmq_z85_decode(key.bytes.data(), public_z85.data()) == nullptr) return std::nullopt;
    return key;
}

}  // namespace

std::string format_tracker_key(const tracker_key& key) {
    // The peer ID's display form: base32, check characters, dashes (shared/identity/peer_id).
    return identity::format_peer_id(identity::peer_id{key.bytes});
}

std::expected<tracker_key, std::string> parse_tracker_key(std::string_view text) {
    auto parsed = identity::parse_peer_id(text);
    if (!parsed) return std::unexpected("not a tracker key: " + parsed.error());
    return tracker_key{parsed->digest};
}

std::expected<tracker_locator, std::string> parse_tracker_locator(std::string_view text,
                                                                  uint16_t default_port) {
    tracker_locator locator;
    // Keys have no '@' (base32 and dashes), hosts neither: the first '@' splits.
    if (const auto at = text.find('@'); at != std::string_view::npos) {
        auto key = parse_tracker_key(text.substr(0, at));
        if (!key) return std::unexpected(key.error());
        locator.key = *key;
        text.remove_prefix(at + 1);
    }
    auto endpoint = net::parse_endpoint(text, default_port);
    if (!endpoint) return std::unexpected(endpoint.error());
    locator.endpoint = *endpoint;
    return locator;
}

std::filesystem::path tracker_key_path(const std::filesystem::path& config_dir) {
    return config_dir / "tracker" / "curve_secret";
}

tracker_keypair tracker_keypair::generate() {
    tracker_keypair pair;
    std::array<char, z85_key_length + 1> public_z85{};
    if (zmq_curve_keypair(public_z85.data(), pair.secret_z85_.data()) != 0)
        throw std::runtime_error("libzmq has no CURVE support (built without libsodium)");
    zmq_z85_decode(pair.public_.bytes.data(), public_z85.data());
    return pair;
}

std::expected<tracker_keypair, std::string> tracker_keypair::load_or_create(
    const std::filesystem::path& config_dir) {
    const auto path = tracker_key_path(config_dir);
    if (const auto error = ensure_private_directory(path.parent_path()))
        return std::unexpected("cannot create " + path.parent_path().string() + ": " +
                               error.message());
    if (!std::filesystem::exists(path)) {
        auto fresh = generate();
        const std::string text = std::string(fresh.secret_z85_.data(), z85_key_length) + "\n";
        const auto temporary = path.string() + ".new" + std::to_string(::getpid());
        const auto error = write_file_atomically(
            temporary, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, true, 0600);
        OPENSSL_cleanse(const_cast<char*>(text.data()), text.size());
        if (error) return std::unexpected("cannot write " + path.string() + ": " + error.message());
        // link(2) fails if another tracker on this home got there first: then its key is ours.
        const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
        const int link_error = errno;
        ::unlink(temporary.c_str());
        if (linked) return fresh;
        if (link_error != EEXIST)
            return std::unexpected("cannot create " + path.string() + ": " +
                                   std::strerror(link_error));
    }
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
        return std::unexpected("cannot read " + path.string() + ": not a regular file");
    if ((info.st_mode & 077) != 0)
        return std::unexpected(path.string() +
                               " is readable by others: chmod 600 it (or delete it for a new key, "
                               "which every client must then be told)");
    auto bytes = read_small_file(path, 256);
    const auto corrupt = [&] {
        return std::unexpected(path.string() +
                               " is not a tracker key (delete it for a new key, which every "
                               "client must then be told)");
    };
    if (!bytes) return corrupt();
    tracker_keypair pair;
    const bool sized = bytes->size() == z85_key_length + 1 && bytes->back() == '\n';
    if (sized) std::memcpy(pair.secret_z85_.data(), bytes->data(), z85_key_length);
    OPENSSL_cleanse(bytes->data(), bytes->size());
    const auto public_key = sized ? public_of(pair.secret_z85_.data()) : std::nullopt;
    if (!public_key) return corrupt();
    pair.public_ = *public_key;
    return pair;
}

tracker_keypair::tracker_keypair(tracker_keypair&& other) noexcept
    : public_(other.public_), secret_z85_(other.secret_z85_) {
    OPENSSL_cleanse(other.secret_z85_.data(), other.secret_z85_.size());
}

tracker_keypair::~tracker_keypair() {
    OPENSSL_cleanse(secret_z85_.data(), secret_z85_.size());
}

void tracker_keypair::make_server(zmq::socket_t& socket) const {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, std::string_view(secret_z85_.data(), z85_key_length));
}

void make_tracker_client(zmq::socket_t& socket, const tracker_key& server) {
    std::array<char, z85_key_length + 1> public_z85{};
    std::array<char, z85_key_length + 1> secret_z85{};
    if (zmq_curve_keypair(public_z85.data(), secret_z85.data()) != 0)
        throw std::runtime_error("libzmq has no CURVE support (built without libsodium)");
    socket.set(zmq::sockopt::curve_serverkey, z85_of(server));
    socket.set(zmq::sockopt::curve_publickey, std::string_view(public_z85.data(), z85_key_length));
    socket.set(zmq::sockopt::curve_secretkey, std::string_view(secret_z85.data(), z85_key_length));
    OPENSSL_cleanse(secret_z85.data(), secret_z85.size());
}

}  // namespace xfer::discovery
