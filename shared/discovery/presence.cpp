#include "shared/discovery/presence.hpp"

#include <unistd.h>

#include <atomic>

#include "shared/core/log.hpp"
#include "shared/discovery/lan_socket.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "shared/discovery/tracker_registration.hpp"
#include "shared/discovery/zmq_frames.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;

// Fits a name into the record's rules: control characters become '?', and it is cut to 64
// bytes without splitting a UTF-8 sequence.
std::string sanitized_name(std::string name) {
    for (char& c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) c = '?';
    }
    if (name.size() > limits::max_name_bytes) {
        size_t cut = limits::max_name_bytes;
        while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
        name.resize(cut);
    }
    return name.empty() ? "xfer" : name;
}

// Announces this peer on the LAN at most once per interval; a changed record gets a new
// generation so listeners replace, rather than merge, the page set.
class lan_beacon {
  public:
    explicit lan_beacon(std::shared_ptr<const lan::datagram_signer> signer)
        : signer_(std::move(signer)) {
        const auto config = lan::lan_config::from_environment();
        if (config.enabled) announcer_.emplace(config);
    }

    void announce_if_due(const peer_record& record, steady_time now) {
        if (!announcer_ || now < next_announce_) return;
        auto encoded = encode_record(record);
        if (encoded != announced_record_) {
            ++generation_;
            announced_record_ = std::move(encoded);
        }
        const auto pages = lan::encode_announcement(record, generation_);
        if (pages.contents_left_out > 0 && !warned_left_out_) {
            XLOG_WARN("lan", "",
                      pages.contents_left_out << " shared files do not fit in a LAN announcement");
            warned_left_out_ = true;
        }
        std::vector<std::string> signed_pages;
        for (auto& page : pages.datagrams) signed_pages.push_back(signer_->sign(std::move(page)));
        announcer_->send(signed_pages, lan::lan_families::for_listen_host(record.sender.host));
        next_announce_ = now + limits::lan_announce_interval;
    }

    void goodbye(const peer_id& id) {
        if (announcer_) announcer_->send({signer_->sign(lan::encode_goodbye(id))}, {true, true});
    }

  private:
    std::shared_ptr<const lan::datagram_signer> signer_;
    std::optional<lan::lan_announcer> announcer_;
    std::string announced_record_;
    uint32_t generation_ = 0;
    bool warned_left_out_ = false;
    steady_time next_announce_{};
};

}  // namespace

std::string default_peer_name() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) return "xfer";
    return sanitized_name(host);
}

peer_record make_record(const presence::options& opts, std::vector<held_content> contents) {
    peer_record record{opts.id,
                       opts.name.empty() ? default_peer_name() : sanitized_name(opts.name),
                       opts.sender,
                       {}};
    // "::" stays: it says the sender takes IPv6 too (lan_families), and is unspecified for
    // listeners all the same.
    if (is_unspecified_host(record.sender.host) && record.sender.host != "::")
        record.sender.host = "0.0.0.0";
    size_t bytes = encode_record(record).size();
    for (auto& content : contents) {
        if (record.contents.size() == limits::max_contents_per_peer) break;
        if (!is_valid_path(content.path)) continue;
        content.pieces_had = std::min(content.pieces_had, content.piece_count);
        const size_t size = encoded_content_size(content);
        if (bytes + size > limits::max_record_bytes) break;
        bytes += size;
        record.contents.push_back(std::move(content));
    }
    return record;
}

presence::presence(zmq::context_t& context, options opts,
                   std::function<std::vector<held_content>()> snapshot)
    : options_(std::move(opts)), snapshot_(std::move(snapshot)) {
    auto pair = make_control_pair(context, "presence");
    control_ = std::move(pair.owner);
    thread_ = std::thread([this, &context, control = std::move(pair.worker)]() mutable {
        try {
            run(context, control);
        } catch (const std::exception& e) {
            XLOG_ERROR("discovery", "", "presence stopped: " << e.what());
        }
    });
}

presence::~presence() {
    send_message(control_, {"stop"});
    thread_.join();
}

void presence::run(zmq::context_t& context, zmq::socket_t& control) {
    std::optional<tracker_registration> registration;
    if (options_.tracker && options_.signer)
        registration.emplace(context, *options_.tracker, options_.signer);
    if (options_.tracker && !options_.signer) {
        XLOG_WARN("tracker", "", "no identity key to sign the registration with: not registering");
    }
    std::optional<lan_beacon> beacon;
    if (options_.lan && options_.signer) beacon.emplace(options_.signer);
    if (options_.lan && !options_.signer) {
        XLOG_WARN("lan", "", "no identity key to sign announcements with: not announcing");
    }

    peer_record record = make_record(options_, {});
    auto next_tick = std::chrono::steady_clock::now();
    while (true) {
        auto now = std::chrono::steady_clock::now();
        if (now >= next_tick) {
            try {
                record = make_record(options_, snapshot_());
            } catch (const std::exception& e) {
                XLOG_WARN("discovery", "", "cannot list shared contents: " << e.what());
            }
            if (beacon) beacon->announce_if_due(record, now);
            next_tick = now + limits::content_check_interval;
        }
        if (registration) registration->tick(record, now);

        std::vector<zmq::pollitem_t> items{{control.handle(), 0, ZMQ_POLLIN, 0}};
        if (registration) registration->add_poll_items(items);
        auto wake = next_tick;
        if (registration) wake = std::min(wake, registration->next_action());
        poll_for(items, until(wake, 1000ms));
        if (items[0].revents & ZMQ_POLLIN) break;
        // Replies may ask for action now (UNKNOWN_PEER: register again), so tick right after.
        if (registration) {
            now = std::chrono::steady_clock::now();
            registration->process_replies(now);
            registration->tick(record, now);
        }
    }
    if (registration) registration->leave(options_.id);
    if (beacon) beacon->goodbye(options_.id);
}

}  // namespace xfer::discovery
