#include "receiver/remote_listing.hpp"

#include <poll.h>

#include "shared/core/error.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/net/send_queue.hpp"
#include "shared/net/socket.hpp"

namespace xfer::receiver {

std::expected<std::vector<wire::listing_entry>, std::string> fetch_listing(const net::endpoint& source,
                                                                           const std::string& directory,
                                                                           const peer_id& our_id,
                                                                           std::chrono::milliseconds timeout) {
    auto fd = net::connect_tcp(source, timeout);
    if (!fd) return std::unexpected(fd.error());
    net::tcp_stream stream(std::move(*fd));
    net::send_queue out;
    wire::hello hello;
    hello.id = our_id;
    wire::encode(hello, out.bytes_for_append());
    wire::encode(wire::list_request{directory}, out.bytes_for_append());

    net::frame_reader reader;
    std::vector<wire::listing_entry> entries;
    bool got_hello = false;
    bool done = false;
    std::string failure;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto where = source.to_string();
    while (!done) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::unexpected(where + ": timed out waiting for the listing");
        pollfd item{stream.fd(), static_cast<short>(POLLIN | (out.empty() ? 0 : POLLOUT)), 0};
        ::poll(&item, 1, static_cast<int>(left.count()));
        if (!out.empty()) {
            const auto sent = out.flush(stream);
            if (sent.error) return std::unexpected(where + ": " + sent.error.message());
        }
        const auto result = reader.pump(
            stream,
            [&](wire::message_type type, std::span<const uint8_t> body) -> std::error_code {
                auto message = wire::decode(type, body);
                if (!message) return message.error();
                if (!got_hello) {
                    if (!std::holds_alternative<wire::hello>(*message)) return errc::bad_protocol;
                    got_hello = true;
                    return {};
                }
                if (auto* listing = std::get_if<wire::listing>(&*message)) {
                    // Bounded like everything off the wire: a peer cannot make us hold millions.
                    if (entries.size() + listing->entries.size() > 1'000'000) return errc::frame_too_large;
                    for (auto& entry : listing->entries) entries.push_back(std::move(entry));
                    done = !listing->more;
                    return {};
                }
                if (auto* error = std::get_if<wire::error_msg>(&*message)) {
                    failure = error->text;
                    return errc::not_found;
                }
                return {};
            },
            nullptr, 16 * 1024 * 1024);
        if (!failure.empty()) return std::unexpected(where + ": " + failure);
        if (result.error) return std::unexpected(where + ": " + result.error.message());
        if (result.closed && !done) return std::unexpected(where + ": connection closed before the listing ended");
    }
    return entries;
}

}  // namespace xfer::receiver
