#include "receiver/remote_listing.hpp"

#include <poll.h>

#include "shared/core/error.hpp"
#include "shared/net/socket.hpp"
#include "shared/session/peer_session.hpp"

namespace xfer::receiver {
namespace {

constexpr size_t read_budget = 16 * 1024 * 1024;

// What `ls` accepts from the sender: LISTING frames until `more` is clear, or an ERROR.
class listing_collector final : public session::message_handler {
  public:
    std::vector<wire::listing_entry> entries;
    bool done = false;
    std::string failure;     // the sender's ERROR text
    bool too_large = false;  // the listing passed max_listing_total_entries or _bytes
    size_t bytes = 0;        // encoded size of `entries`

    std::error_code on_listing(wire::listing& listing) override {
        for (auto& entry : listing.entries) {
            bytes += wire::listing_entry_size(entry);
            if (entries.size() >= max_listing_total_entries || bytes > max_listing_total_bytes) {
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
        return errc::not_found;
    }

  protected:
    // Anything else (BYE, KEEPALIVE, a stray HAVE) is no business of a listing: ignored.
    std::error_code unexpected(wire::message_type) override { return {}; }
};

}  // namespace

std::expected<std::vector<wire::listing_entry>, std::string> fetch_listing(
    const net::endpoint& source, const std::string& directory, const peer_id& our_id,
    std::chrono::milliseconds timeout) {
    auto fd = net::connect_tcp(source, timeout);
    if (!fd) return std::unexpected(fd.error());
    wire::hello hello;
    hello.id = our_id;
    listing_collector collector;
    session::peer_session session(session::role::initiator,
                                  std::make_unique<net::tcp_stream>(std::move(*fd)), hello,
                                  collector, read_budget);
    session.send(wire::list_request{directory});

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto where = source.to_string();
    while (!collector.done) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::unexpected(where + ": timed out waiting for the listing");
        pollfd item{session.fd(), static_cast<short>(POLLIN | (session.has_output() ? POLLOUT : 0)),
                    0};
        ::poll(&item, 1, static_cast<int>(left.count()));
        if (session.has_output()) {
            const auto sent = session.flush();
            if (sent.error) return std::unexpected(where + ": " + sent.error.message());
        }
        const auto ec = session.receive();
        if (!collector.failure.empty()) return std::unexpected(where + ": " + collector.failure);
        if (collector.too_large) {
            return std::unexpected(where + ": listing too large (more than " +
                                   std::to_string(max_listing_total_entries) + " entries or " +
                                   std::to_string(max_listing_total_bytes >> 20) +
                                   " MiB); stopped reading it");
        }
        if (ec == make_error_code(errc::peer_closed)) {
            if (collector.done) break;
            return std::unexpected(where + ": connection closed before the listing ended");
        }
        if (ec) return std::unexpected(where + ": " + ec.message());
    }
    return collector.entries;
}

}  // namespace xfer::receiver
