#include "receiver/remote_listing.hpp"

#include <poll.h>

#include <algorithm>

#include "shared/core/error.hpp"
#include "shared/net/socket.hpp"
#include "shared/session/peer_session.hpp"
#include "shared/tls/tls_stream.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::receiver {
namespace {

constexpr size_t read_budget = 16 * 1024 * 1024;

}  // namespace

namespace detail {

// What `ls` accepts from the sender: LISTING frames until `more` is clear, or an ERROR.
class listing_collector final : public session::message_handler {
  public:
    listing_collector(const listing_security& security, net::endpoint source)
        : check_(security.check_sender),
          check_hello_(security.check_sender_hello),
          source_(std::move(source)) {}

    std::vector<wire::listing_entry> entries;
    bool done = false;

    // A new LIST: entries of earlier ones (of a recursive listing) count against the bounds.
    void start(size_t entries_before) {
        entries.clear();
        done = false;
        earlier_ = entries_before;
    }
    std::string failure;           // the sender's ERROR text
    std::error_code failure_code;  // and its code
    bool too_large = false;        // the listing passed max_listing_total_entries or _bytes
    size_t bytes = 0;              // encoded size of `entries`

    std::error_code on_peer_verified(const identity::peer_id& peer) override {
        const auto verdict = session::judge(check_, peer, source_);
        peer_ = peer;
        if (verdict.allowed) return {};
        failure = verdict.reason.empty()
                      ? "not the sender expected (peer " + identity::format_peer_id(peer) + ")"
                      : verdict.reason;
        return errc::peer_not_allowed;
    }
    std::error_code on_hello(const wire::hello& hello) override {
        if (!peer_) return errc::peer_not_allowed;  // the session verifies before any HELLO
        const auto verdict = session::judge_hello(check_hello_, *peer_, source_, hello);
        if (verdict.allowed) return {};
        failure = verdict.reason;
        return errc::peer_not_allowed;
    }
    std::error_code on_listing(wire::listing& listing) override {
        for (auto& entry : listing.entries) {
            bytes += wire::listing_entry_size(entry);
            if (earlier_ + entries.size() >= max_listing_total_entries ||
                bytes > max_listing_total_bytes) {
                too_large = true;
                return errc::frame_too_large;
            }
            entries.push_back(std::move(entry));
        }
        done = !listing.more;
        return {};
    }
    std::error_code on_error(const wire::error_msg& error) override {
        failure = error.text;
        // As a fetch reads a refusal: "not shared", "outside the share" and "busy" keep codes,
        // anything else the sender says ends the conversation like a closed connection.
        const bool kept = error.code == static_cast<uint16_t>(errc::not_found) ||
                          error.code == static_cast<uint16_t>(errc::path_escapes_root) ||
                          error.code == static_cast<uint16_t>(errc::sender_busy);
        failure_code = kept ? std::error_code(static_cast<errc>(error.code))
                            : std::error_code(errc::peer_closed);
        return errc::not_found;
    }

  private:
    const session::peer_check& check_;
    const session::hello_check& check_hello_;
    const net::endpoint source_;
    std::optional<identity::peer_id> peer_;
    size_t earlier_ = 0;

  protected:
    // Anything else (BYE, KEEPALIVE, a stray HAVE) is no business of a listing: ignored.
    std::error_code unexpected(wire::message_type) override { return {}; }
};

}  // namespace detail

namespace {

using detail::listing_collector;

std::unexpected<listing_failure> failed(std::error_code code, std::string message) {
    return std::unexpected(listing_failure{code, std::move(message)});
}

}  // namespace

listing_connection::listing_connection(const net::endpoint& source, const peer_id& our_id,
                                       const listing_security& security,
                                       std::chrono::milliseconds timeout)
    : source_(source), timeout_(timeout) {
    auto fd = net::connect_tcp(source, timeout);
    if (!fd) {
        failure_ = listing_failure{errc::peer_closed, fd.error()};
        return;
    }
    wire::hello hello;
    hello.id = our_id;
    hello.features = wire::hello_feature_listing_symlinks;  // `ls` shows links as links
    collector_ = std::make_unique<listing_collector>(security, source);
    session_ = std::make_unique<session::peer_session>(
        session::role::initiator,
        std::make_unique<tls::tls_stream>(std::move(*fd), security.tls, tls::side::client), hello,
        *collector_, read_budget);
}

listing_connection::~listing_connection() = default;

std::expected<std::vector<wire::listing_entry>, listing_failure> listing_connection::list(
    const std::string& directory, size_t entries_before) {
    if (failure_) return std::unexpected(*failure_);
    auto result = list_once(directory, entries_before);
    if (!result) failure_ = result.error();  // the connection is not used again
    return result;
}

std::expected<std::vector<wire::listing_entry>, listing_failure> listing_connection::list_once(
    const std::string& directory, size_t entries_before) {
    auto& collector = *collector_;
    auto& session = *session_;
    collector.start(entries_before);
    session.send(wire::list_request{directory});
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    const auto where = source_.to_string();
    while (!collector.done) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return failed(errc::peer_timeout, where + ": timed out waiting for the listing");
        pollfd item{session.fd(),
                    static_cast<short>(POLLIN | (session.wants_write() ? POLLOUT : 0)), 0};
        // Decrypted bytes TLS already holds are not visible to poll.
        if (!session.has_buffered_input()) ::poll(&item, 1, static_cast<int>(left.count()));
        auto ec = session.receive();
        if (!ec && session.wants_write()) ec = session.flush().error;
        if (!collector.failure.empty())
            return failed(collector.failure_code, where + ": " + collector.failure);
        if (collector.too_large) {
            return failed(errc::frame_too_large, where + ": listing too large (more than " +
                                                     std::to_string(max_listing_total_entries) +
                                                     " entries or " +
                                                     std::to_string(max_listing_total_bytes >> 20) +
                                                     " MiB); stopped reading it");
        }
        if (ec == make_error_code(errc::peer_closed)) {
            if (collector.done) break;
            return failed(ec, where + ": connection closed before the listing ended");
        }
        if (ec == make_error_code(errc::tls_failed))
            return failed(ec, where + ": TLS failed: " + session.transport_failure());
        if (ec) return failed(ec, where + ": " + ec.message());
    }
    return std::move(collector.entries);
}

std::expected<std::vector<wire::listing_entry>, listing_failure> fetch_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    const listing_security& security, std::chrono::milliseconds timeout) {
    listing_connection connection(source, our_id, security, timeout);
    return connection.list(directory);
}

std::expected<std::vector<tree_listing_entry>, listing_failure> fetch_tree_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    const listing_security& security, std::chrono::milliseconds timeout) {
    listing_connection connection(source, our_id, security, timeout);
    std::vector<tree_listing_entry> out;
    // Depth first, each directory's entries right after it (as find prints them); a stack of
    // (directory, position of its entry in `out`).
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
        const auto relative = std::move(pending.back());
        pending.pop_back();
        auto asked = directory;
        if (!relative.empty())
            asked += (asked.empty() || asked.ends_with('/') ? "" : "/") + relative;
        auto entries = connection.list(asked, out.size());
        if (!entries) return std::unexpected(entries.error());
        std::vector<std::string> subdirectories;
        for (auto& entry : *entries) {
            auto path = relative.empty() ? entry.name : relative + "/" + entry.name;
            if (entry.kind == wire::listing_entry::kind_t::directory) {
                if (directory.size() + 1 + path.size() > wire::max_path_length) {
                    return failed(errc::frame_too_large,
                                  source.to_string() + ": " + path.substr(0, 80) +
                                      "...: directories nested deeper than a path may be long");
                }
                subdirectories.push_back(path);
            }
            out.push_back({std::move(path), std::move(entry)});
        }
        // Reversed, so the first subdirectory is listed next.
        pending.insert(pending.end(), subdirectories.rbegin(), subdirectories.rend());
    }
    // Sorted by path, components compared by bytes: each directory's subtree right after it.
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return tree::path_less(a.path, b.path); });
    return out;
}

}  // namespace xfer::receiver
