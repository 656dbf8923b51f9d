#include "shared/discovery/peer_finder.hpp"

#include <atomic>

#include "shared/bus/events.hpp"
#include "shared/core/log.hpp"
#include "shared/discovery/lan_socket.hpp"
#include "shared/discovery/tracker_mirror.hpp"
#include "shared/discovery/zmq_frames.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;
constexpr unsigned from_tracker = 1;
constexpr unsigned from_lan = 2;

}  // namespace

// The finder's thread: owns every socket and applies changes to the owner's holder table.
class peer_finder::worker {
  public:
    worker(peer_finder& owner, zmq::context_t& context, zmq::socket_t control)
        : owner_(owner), control_(std::move(control)), bus_(context, zmq::socket_type::xpub) {
        bus_.set(zmq::sockopt::linger, 0);
        // Every subscription arrives, even a repeated one, so each late subscriber is served.
        bus_.set(zmq::sockopt::xpub_verbose, 1);
        bus_.connect(bus::peer_events_endpoint);
        const auto& opts = owner_.options_;
        if (opts.tracker) mirror_.emplace(context, *opts.tracker);
        if (opts.lan) {
            const auto config = lan::lan_config::from_environment();
            if (config.enabled) listener_.emplace(config);
        }
    }

    void run() {
        while (true) {
            auto now = std::chrono::steady_clock::now();
            auto wait = 1000ms;
            if (mirror_) wait = std::min(wait, mirror_->next_timeout(now));
            if (listener_) wait = std::min(wait, until(listener_->next_deadline(), wait));
            std::vector<zmq::pollitem_t> items{{control_.handle(), 0, ZMQ_POLLIN, 0},
                                               {bus_.handle(), 0, ZMQ_POLLIN, 0}};
            if (listener_ && listener_->ok())
                items.push_back({nullptr, listener_->fd(), ZMQ_POLLIN, 0});
            if (mirror_) mirror_->add_poll_items(items);
            poll_for(items, wait);
            if (items[0].revents & ZMQ_POLLIN) return;
            now = std::chrono::steady_clock::now();
            if (items[1].revents & ZMQ_POLLIN) serve_subscriptions();
            if (mirror_) {
                apply(mirror_->process(now), from_tracker);
                note_heard(mirror_->last_heard());
                if (mirror_->synced()) mark_tracker_answered();
                note_link_failure(mirror_->link_failure());
            }
            if (listener_) {
                apply(listener_->receive(now), from_lan);
                apply(listener_->expire(now), from_lan);
            }
        }
    }

  private:
    // "DIR/" asks for a tree. The tracker names every content a peer holds: the tree itself
    // ("DIR", a fetch of it in progress) or a file under DIR/ says it may hold the tree; the LAN
    // names none (only tags of whole paths), so any content a trusted announcer holds says it
    // may. Its answer to OPEN settles it: a peer that does not share the tree is dropped as "not
    // found" and not asked again (retry_policy.hpp).
    static bool tree_path(const std::string& wanted) { return wanted.ends_with('/'); }
    static bool may_hold(const std::string& held, const std::string& wanted) {
        if (held == wanted) return true;
        if (!tree_path(wanted)) return false;
        const bool the_tree_itself = held.size() + 1 == wanted.size() && wanted.starts_with(held);
        return the_tree_itself || held.starts_with(wanted);
    }

    const held_content* match(const peer_record& record) const {
        const auto& opts = owner_.options_;
        if (record.id == opts.self) return nullptr;
        // LAN records name no paths: a path is found by its tag at that announcer.
        const auto tag = opts.path.empty() ? path_tag{} : lan::lan_path_tag(record.id, opts.path);
        for (const auto& content : record.contents) {
            const bool same_path =
                !opts.path.empty() &&
                (content.path.empty() ? content.lan_tag == tag || tree_path(opts.path)
                                      : may_hold(content.path, opts.path));
            const bool same = opts.id ? content.id == *opts.id : same_path;
            if (same && has_any_piece(content)) return &content;
        }
        return nullptr;
    }

    // Searching by id: the id. By path: zero ("any"), because the receiver does not know which
    // version it fetches until a manifest arrives, and checks the version itself at open.
    content_id event_content(const held_content& content) const {
        return owner_.options_.id ? content.id : content_id{};
    }

    void publish(bus::event_type type, const holder& h) {
        const auto text = h.sender.to_string();
        XLOG_DEBUG("discovery", text,
                   (type == bus::event_type::peer_learned ? "holder found" : "holder gone"));
        send_message(bus_, {bus::encode(bus::event{type, h.content, 0, text}).to_string()});
    }

    // Whether the record's signer may serve this search (always, searching by content id).
    bool trusted(const peer_record& record) const {
        const auto& accept = owner_.options_.trusted_signer;
        if (!accept) return true;
        return record.identity != identity::peer_id{} && accept(record.identity);
    }

    void apply(const std::vector<membership_change>& changes, unsigned source) {
        if (changes.empty()) return;
        std::lock_guard lock(owner_.mutex_);
        for (const auto& change : changes) {
            const auto* content =
                change.what == membership_change::kind::left ? nullptr : match(change.record);
            const bool counted_untrusted = content && !trusted(change.record);
            note_untrusted(change.record.id, source, counted_untrusted);
            update_holder(change.record, counted_untrusted ? nullptr : content, source);
        }
        owner_.changed_.notify_all();
    }

    // An untrusted peer that holds the content is only counted, for the error that says why
    // no holder was found. Called with the mutex held.
    void note_untrusted(const peer_id& id, unsigned source, bool holds) {
        auto& untrusted = owner_.untrusted_;
        if (holds) {
            untrusted[id] |= source;
            return;
        }
        const auto found = untrusted.find(id);
        if (found == untrusted.end()) return;
        found->second &= ~source;
        if (found->second == 0) untrusted.erase(found);
    }

    // `content`: what the record holds of the search, or nullptr (gone, or not a holder for this
    // source any more). Called with the mutex held.
    void update_holder(const peer_record& record, const held_content* content, unsigned source) {
        auto& holders = owner_.holders_;
        auto found = holders.find(record.id);
        if (content) {
            if (found == holders.end()) {
                found = holders
                            .emplace(record.id, holder{record.sender, record.identity,
                                                       event_content(*content), source})
                            .first;
                publish(bus::event_type::peer_learned, found->second);
            } else if (found->second.sources == source && found->second.sender != record.sender) {
                // Moved, and nobody else vouches for the old address.
                publish(bus::event_type::peer_left, found->second);
                found->second.sender = record.sender;
                found->second.signer = record.identity;
                publish(bus::event_type::peer_learned, found->second);
            }
            found->second.sources |= source;
        } else if (found != holders.end()) {
            found->second.sources &= ~source;
            if (found->second.sources == 0) {
                publish(bus::event_type::peer_left, found->second);
                holders.erase(found);
            }
        }
    }

    // A (re)subscription to peer_learned: tell that subscriber everything known so far.
    void serve_subscriptions() {
        bool resend = false;
        while (auto received = receive_message(bus_, 1)) {
            const auto& frame = received->frames.front();
            if (!frame.empty() && frame[0] == 1 &&
                (frame.size() == 1 ||
                 frame[1] == static_cast<char>(bus::event_type::peer_learned))) {
                resend = true;
            }
        }
        if (!resend) return;
        std::lock_guard lock(owner_.mutex_);
        for (const auto& [id, h] : owner_.holders_) publish(bus::event_type::peer_learned, h);
    }

    void note_link_failure(const std::string& failure) {
        std::lock_guard lock(owner_.mutex_);
        if (owner_.tracker_failure_ == failure) return;
        owner_.tracker_failure_ = failure;
        owner_.changed_.notify_all();
    }

    void note_heard(std::optional<steady_time> when) {
        if (!when) return;
        std::lock_guard lock(owner_.mutex_);
        owner_.tracker_last_heard_ = when;
    }

    void mark_tracker_answered() {
        std::lock_guard lock(owner_.mutex_);
        if (owner_.tracker_answered_) return;
        owner_.tracker_answered_ = true;
        owner_.changed_.notify_all();
    }

    peer_finder& owner_;
    zmq::socket_t control_;
    zmq::socket_t bus_;
    std::optional<tracker_mirror> mirror_;
    std::optional<lan::lan_listener> listener_;
};

peer_finder::peer_finder(zmq::context_t& context, options opts) : options_(std::move(opts)) {
    auto pair = make_control_pair(context, "peer-finder");
    control_ = std::move(pair.owner);
    thread_ = std::thread([this, &context, control = std::move(pair.worker)]() mutable {
        try {
            worker(*this, context, std::move(control)).run();
        } catch (const std::exception& e) {
            XLOG_ERROR("discovery", "", "peer finder stopped: " << e.what());
        }
    });
}

peer_finder::~peer_finder() {
    send_message(control_, {"stop"});
    thread_.join();
}

std::vector<net::endpoint> peer_finder::current_holders(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    if (options_.lan) {
        // Announcements come about once a second from each peer: listen for the whole window.
        changed_.wait_until(lock, deadline, [] { return false; });
    } else if (options_.tracker) {
        // An empty first answer may only mean the holders have not finished hashing and
        // re-registering yet: give them the rest of the window (only "nobody" waits it out).
        changed_.wait_until(lock, deadline, [this] {
            return (tracker_answered_ && !holders_.empty()) || !tracker_failure_.empty();
        });
    }
    std::vector<net::endpoint> out;
    for (const auto& [id, h] : holders_) out.push_back(h.sender);
    return out;
}

}  // namespace xfer::discovery

namespace xfer::discovery {

std::vector<identity::peer_id> peer_finder::signers_at(const net::endpoint& sender) {
    std::lock_guard lock(mutex_);
    std::vector<identity::peer_id> out;
    for (const auto& [id, h] : holders_) {
        if (h.sender == sender) out.push_back(h.signer);
    }
    return out;
}

size_t peer_finder::untrusted_holders() {
    std::lock_guard lock(mutex_);
    return untrusted_.size();
}

std::string peer_finder::tracker_failure() {
    std::lock_guard lock(mutex_);
    return tracker_failure_;
}

bool peer_finder::tracker_answered() {
    std::lock_guard lock(mutex_);
    return tracker_answered_;
}

std::optional<std::chrono::steady_clock::time_point> peer_finder::tracker_last_heard() {
    std::lock_guard lock(mutex_);
    return tracker_last_heard_;
}

}  // namespace xfer::discovery
