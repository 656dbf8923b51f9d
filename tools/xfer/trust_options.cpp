#include "tools/xfer/trust_options.hpp"

#include "shared/core/log.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/trust/known_peers_file.hpp"

namespace xfer::cli {
namespace {

namespace po = boost::program_options;

trust::timestamp now_seconds() {
    return std::chrono::time_point_cast<std::chrono::seconds>(trust::seconds_clock::now());
}

// The table, with its unreadable lines reported once per load (the rest of it still counts).
trust::known_peers load_table(const std::filesystem::path& config_dir) {
    auto loaded = trust::load_known_peers(config_dir);
    if (!loaded) {
        XLOG_WARN("trust", "", loaded.error() << "; no peer is known until it is fixed");
        return {};
    }
    for (const auto& warning : loaded->warnings) XLOG_WARN("trust", "", warning);
    return std::move(loaded->table);
}

}  // namespace

void add_sender_trust_options(po::options_description& options) {
    options.add_options()("public", "let anyone who can reach the port read (no pairing)")(
        "allow", po::value<std::vector<std::string>>()->composing()->value_name("ID"),
        "also let this peer ID read (repeatable)")(
        "allow-file", po::value<std::string>()->value_name("FILE"),
        "also let the peer IDs in FILE read (one per line, # comments)");
}

void add_receiver_trust_options(po::options_description& options) {
    options.add_options()("peer", po::value<std::string>()->value_name("ID"),
                          "the sender must have this peer ID (and is remembered as such)");
}

std::expected<sender::read_policy_options, std::string> read_policy_options_from(
    const po::variables_map& values, const identity::peer_id& own_id) {
    sender::read_policy_options options;
    options.own_id = own_id;
    options.public_access = values.count("public") > 0;
    if (values.count("allow")) {
        for (const auto& text : values["allow"].as<std::vector<std::string>>()) {
            const auto id = identity::parse_peer_id(text);
            if (!id) return std::unexpected("--allow " + text + ": " + id.error());
            options.allowed.push_back(*id);
        }
    }
    if (values.count("allow-file")) {
        const auto file = values["allow-file"].as<std::string>();
        const auto bytes = read_small_file(file, sender::max_allow_file_bytes);
        if (!bytes)
            return std::unexpected("--allow-file " + file +
                                   ": cannot read it (missing, or "
                                   "larger than 1 MiB)");
        auto ids = sender::parse_allow_list(
            std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), file);
        if (!ids) return std::unexpected(ids.error());
        options.allowed.insert(options.allowed.end(), ids->begin(), ids->end());
    }
    return options;
}

std::expected<receiver::sender_check_options, std::string> sender_check_options_from(
    const po::variables_map& values, const identity::peer_id& own_id) {
    receiver::sender_check_options options;
    options.own_id = own_id;
    options.pairing_available = true;  // `xfer pair` and `fetch --code` exist
    if (values.count("peer")) {
        const auto id = identity::parse_peer_id(values["peer"].as<std::string>());
        if (!id) return std::unexpected("--peer: " + id.error());
        options.pinned = *id;
    }
    if (values.count("home"))
        options.trust_command = "xfer trust --home " + values["home"].as<std::string>();
    return options;
}

live_read_policy::live_read_policy(std::filesystem::path config_dir,
                                   sender::read_policy_options options)
    : config_dir_(std::move(config_dir)), policy_(std::move(options), {}) {
    reload_if_changed();
}

void live_read_policy::reload_if_changed() {
    std::error_code ec;
    const auto path = trust::known_peers_path(config_dir_);
    const auto mtime = std::filesystem::last_write_time(path, ec);
    const auto size = ec ? 0 : std::filesystem::file_size(path, ec);
    const std::optional<std::filesystem::file_time_type> now_mtime =
        ec ? std::nullopt : std::optional(mtime);
    if (loaded_mtime_ == now_mtime && loaded_size_ == size && loaded_mtime_) return;
    policy_.replace_known_peers(load_table(config_dir_));
    loaded_mtime_ = now_mtime;
    loaded_size_ = size;
}

trust_verdict live_read_policy::authorize(const identity::peer_id& receiver,
                                          const std::string& address) {
    const std::lock_guard lock(mutex_);
    reload_if_changed();
    const auto decision = policy_.authorize(receiver);
    if (decision.allowed) return {};
    // The sender logs the refusal with the peer ID and its address (upload_connection).
    (void)address;
    return {false, policy_.refusal_text(receiver)};
}

std::string live_read_policy::audience() {
    const std::lock_guard lock(mutex_);
    return policy_.audience();
}

live_sender_check::live_sender_check(std::filesystem::path config_dir,
                                     receiver::sender_check_options options)
    : config_dir_(std::move(config_dir)), options_(std::move(options)) {}

trust_verdict live_sender_check::check(const identity::peer_id& sender, const std::string& address,
                                       std::optional<bool> serves_public) {
    const std::lock_guard lock(mutex_);
    const receiver::presented_sender presented{sender, address, serves_public.value_or(false)};
    const auto now = now_seconds();
    const auto decision = receiver::check_sender(load_table(config_dir_), options_, presented, now);
    if (decision.verdict == receiver::sender_verdict::unknown && !serves_public) return {};
    if (!decision.accepted()) return {false, decision.message};
    if (decision.remember) {
        const auto written = trust::update_known_peers(config_dir_, [&](trust::known_peers& table) {
            return receiver::remember_sender(table, presented, now);
        });
        if (!written) XLOG_WARN("trust", address, "not remembered: " << written.error());
    }
    if (!decision.message.empty()) notes_.push_back(decision.message);
    return {};
}

std::vector<std::string> live_sender_check::notes() {
    const std::lock_guard lock(mutex_);
    return notes_;
}

session::peer_check authorize_hook(std::shared_ptr<live_read_policy> policy) {
    return [policy](const identity::peer_id& peer, const net::endpoint& address) {
        const auto verdict = policy->authorize(peer, address.host);
        return verdict.allowed ? session::peer_verdict::allow()
                               : session::peer_verdict::refuse(verdict.reason);
    };
}

sender_check_hooks sender_check_hooks_for(std::shared_ptr<live_sender_check> check) {
    auto at_handshake = [check](const identity::peer_id& peer, const net::endpoint& address) {
        const auto verdict = check->check(peer, address.to_string(), std::nullopt);
        return verdict.allowed ? session::peer_verdict::allow()
                               : session::peer_verdict::refuse(verdict.reason);
    };
    auto at_hello = [check](const identity::peer_id& peer, const net::endpoint& address,
                            const wire::hello& hello) {
        const bool serves_public = (hello.features & wire::hello_feature_public) != 0;
        const auto verdict = check->check(peer, address.to_string(), serves_public);
        return verdict.allowed ? session::peer_verdict::allow()
                               : session::peer_verdict::refuse(verdict.reason);
    };
    return {at_handshake, at_hello};
}

}  // namespace xfer::cli
