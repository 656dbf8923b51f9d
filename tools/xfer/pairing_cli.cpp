#include "tools/xfer/pairing_cli.hpp"

#include <cstdio>
#include <ctime>
#include <iostream>

#include "receiver/pairing_client.hpp"
#include "shared/core/log.hpp"
#include "shared/core/safe_text.hpp"
#include "shared/identity/identity_store.hpp"
#include "shared/trust/known_peers_file.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/home_option.hpp"

namespace xfer::cli {
namespace {

// Codes live at least this long and at most a day (the default is code_policy's 10 minutes).
constexpr double min_code_lifetime = 1;
constexpr double max_code_lifetime = 24 * 3600;

trust::timestamp now_seconds() {
    return std::chrono::time_point_cast<std::chrono::seconds>(trust::seconds_clock::now());
}

std::string own_name(const po::variables_map& values) {
    return values.count("name") ? values["name"].as<std::string>() : identity::display_name();
}

// "NAME (ID)", the name made safe for a terminal.
std::string who(std::string_view name, const identity::peer_id& id) {
    return safe_text(name) + " (" + identity::format_peer_id(id) + ")";
}

// "10 min, until 16:42:05" (local time).
std::string validity(std::chrono::steady_clock::duration lifetime) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(lifetime).count();
    const auto until = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                            std::chrono::seconds(seconds));
    std::tm local{};
    localtime_r(&until, &local);
    char clock[16];
    std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
    const auto span = seconds >= 120 && seconds % 60 == 0 ? std::to_string(seconds / 60) + " min"
                                                          : std::to_string(seconds) + " s";
    return span + ", until " + clock;
}

// A peer that proved the code becomes paired under the name it sent; a name the user gave it
// (an allowed peer, `xfer trust rename`) is kept, one made up from a host dialled (seen) is not.
std::expected<void, std::string> record_paired(trust::known_peers& table,
                                               const identity::peer_id& id, std::string_view name) {
    const auto* known = table.find(id);
    const bool named_by_us = known && known->trust != trust::trust_level::seen;
    auto added = table.add(id, name, trust::trust_level::paired, now_seconds());
    if (added && known && !named_by_us) table.rename(id, name);
    return added;
}

std::string_view cause_name(sender::code_announcement::cause why) {
    using cause = sender::code_announcement::cause;
    switch (why) {
        case cause::first:
            return "first";
        case cause::paired:
            return "paired";
        case cause::expired:
            return "expired";
        case cause::tries_spent:
            return "tries_spent";
    }
    return "first";
}

serve_notices::notice code_notice(const sender::code_announcement& code) {
    const auto reason = sender::replacement_reason(code.replaces);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(code.lifetime).count();
    return {"pairing code: " + code.code + " (valid " + validity(code.lifetime) + "; one use" +
                (reason.empty() ? "" : "; " + reason) + ")",
            json_object("pairing_code")
                .text("code", code.code)
                .number("expires_in", static_cast<uint64_t>(seconds))
                .text("replaces", cause_name(code.replaces)),
            true};
}

// The receiver that paired with our sender may read from now on: paired in known_peers.
void record_receiver(const std::filesystem::path& config_dir, const sender::paired_receiver& peer,
                     serve_notices& notices) {
    const auto written = trust::update_known_peers(config_dir, [&](trust::known_peers& table) {
        return record_paired(table, peer.id, peer.name);
    });
    if (!written)
        XLOG_WARN("pair", peer.address.to_string(), "not remembered: " << written.error());
    notices.post({"paired with " + who(peer.name, peer.id),
                  json_object("paired")
                      .text("peer_id", identity::format_peer_id(peer.id))
                      .text("name", peer.name)
                      .text("address", peer.address.host),
                  false});
}

}  // namespace

void add_code_option(po::options_description& options) {
    options.add_options()("code", po::value<std::string>()->value_name("CODE"),
                          "pair with SOURCE first, with the code its 'xfer serve' prints "
                          "(7-amber-forest); needed once per sender");
}

void add_code_lifetime_option(po::options_description& options) {
    options.add_options()("code-lifetime",
                          po::value<double>()->default_value(600)->value_name("SECONDS"),
                          "how long each pairing code stays valid (then a new one is printed)");
}

int pair_and_remember(std::string_view command, const po::variables_map& values,
                      const net::endpoint& source, std::string_view typed_code,
                      std::shared_ptr<const tls::tls_context> tls) {
    const bool json = json_requested(values);
    const auto code = pairing::parse_pairing_code(typed_code);
    if (!code) {
        std::fprintf(stderr, "xfer %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                     safe_text(code.error()).c_str());
        return exit_status(failure_class::usage);
    }
    receiver::pairing_request request{source,           *code,          own_name(values),
                                      random_peer_id(), std::move(tls), std::chrono::seconds(10)};
    if (values.count("timeout"))
        request.timeout =
            std::chrono::milliseconds(static_cast<long>(values["timeout"].as<double>() * 1000));
    const auto paired = receiver::pair_with_sender(request);
    if (!paired)
        return report_failure(command, classify(paired.error().code), paired.error().message, json);
    const auto address = source.to_string();
    const auto written =
        trust::update_known_peers(home_from(values).config, [&](trust::known_peers& table) {
            auto added = record_paired(table, paired->id, paired->name);
            if (!added) return added;
            table.seen_at(paired->id, address, now_seconds());
            return added;
        });
    if (!written)
        return report_failure(command, failure_class::local_io,
                              "paired, but could not remember it: " + written.error(), json);
    if (json) {
        emit(json_object("paired")
                 .text("peer_id", identity::format_peer_id(paired->id))
                 .text("name", paired->name)
                 .text("address", address));
    } else if (!values.count("quiet")) {
        std::cout << "paired with " << who(paired->name, paired->id) << " at " << address
                  << std::endl;
    }
    return exit_ok;
}

int pair_before_fetch(const parsed_options& parsed, const command_spec& spec,
                      const std::vector<net::endpoint>& sources,
                      std::shared_ptr<const tls::tls_context> tls) {
    if (!parsed.values.count("code")) return exit_ok;
    if (!parsed.has("SOURCE") || sources.empty())
        return usage_error(spec, "--code needs SOURCE, the sender that printed the code");
    return pair_and_remember("fetch", parsed.values, sources.front(),
                             parsed.values["code"].as<std::string>(), std::move(tls));
}

void serve_notices::post(notice what) {
    const std::lock_guard lock(mutex_);
    pending_.push_back(std::move(what));
}

void serve_notices::print_pending(bool json, bool quiet) {
    std::vector<notice> now;
    {
        const std::lock_guard lock(mutex_);
        now.swap(pending_);
    }
    for (const auto& item : now) {
        if (json) {
            emit(item.event);
        } else if (!quiet || item.shown_when_quiet) {
            std::cout << item.line << std::endl;
        }
    }
}

std::expected<sender::pairing_options, std::string> serve_pairing_options(
    const po::variables_map& values, const std::filesystem::path& config_dir,
    std::shared_ptr<serve_notices> notices) {
    const double seconds = values["code-lifetime"].as<double>();
    if (!(seconds >= min_code_lifetime && seconds <= max_code_lifetime))
        return std::unexpected("--code-lifetime must be 1 to 86400 seconds");
    sender::pairing_options options;
    options.code_lifetime = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    options.own_name = own_name(values);
    options.on_code = [notices](const sender::code_announcement& code) {
        notices->post(code_notice(code));
    };
    options.on_paired = [notices, config_dir](const sender::paired_receiver& peer) {
        record_receiver(config_dir, peer, *notices);
    };
    return options;
}

}  // namespace xfer::cli
