// The command line's side of pairing. Receiver: `xfer pair HOST CODE` and `xfer fetch --code`
// pair over receiver/pairing_client and remember the sender in known_peers as paired, at the
// address dialled. Sender: `xfer serve` offers codes (sender::pairing_options); its sender thread
// hands what to say (a new code, a receiver paired) to serve_notices, and serve's main thread
// prints them, so stdout lines never interleave.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sender/sender.hpp"
#include "shared/net/address.hpp"
#include "shared/tls/tls_context.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/json_writer.hpp"

namespace xfer::cli {

// --code CODE (fetch): pair with SOURCE first.
void add_code_option(po::options_description& options);
// --code-lifetime SECONDS (serve).
void add_code_lifetime_option(po::options_description& options);

// Pairs with `source` using the code as typed, records the sender (paired, at `source`), and
// says "paired with NAME (ID)" (a "paired" event with --json; nothing with -q). exit_ok, or the
// status of the failure after reporting it in one line.
int pair_and_remember(std::string_view command, const po::variables_map& values,
                      const net::endpoint& source, std::string_view typed_code,
                      std::shared_ptr<const tls::tls_context> tls);

// fetch --code CODE: pairs with the first SOURCE before the fetch starts. exit_ok (0) when
// there is no --code or it paired; else the failure's status, reported.
int pair_before_fetch(const parsed_options& parsed, const command_spec& spec,
                      const std::vector<net::endpoint>& sources,
                      std::shared_ptr<const tls::tls_context> tls);

// What serve's sender thread has to say, queued for the main thread.
class serve_notices {
  public:
    struct notice {
        std::string line;  // for a terminal (already made safe)
        json_object event;
        bool shown_when_quiet = false;  // a pairing code is the point of serving: always shown
    };
    void post(notice what);
    // Prints what was posted, in order: lines, or with `json` the events.
    void print_pending(bool json, bool quiet);

  private:
    std::mutex mutex_;
    std::vector<notice> pending_;
};

// The pairing serve offers: --code-lifetime, our name (--name or the host name), codes and
// paired receivers posted to `notices`, receivers recorded in `config_dir`'s known_peers.
std::expected<sender::pairing_options, std::string> serve_pairing_options(
    const po::variables_map& values, const std::filesystem::path& config_dir,
    std::shared_ptr<serve_notices> notices);

}  // namespace xfer::cli
