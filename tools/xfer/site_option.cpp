#include "tools/xfer/site_option.hpp"

#include "shared/core/safe_text.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::cli {

void add_site_option(po::options_description& options) {
    options.add_options()("site", po::value<std::string>()->value_name("LABEL"),
                          "the segment (rack, room) this host is on, told to peers: sources of "
                          "the same site are preferred (letters, digits, . _ : / -; at most 64)");
}

std::expected<std::string, std::string> site_option(const po::variables_map& values) {
    if (!values.count("site")) return std::string{};
    const auto site = values["site"].as<std::string>();
    if (site.empty() || !wire::is_valid_site(site)) {
        return std::unexpected("--site: '" + safe_text(site) + "' is not a site label (1 to " +
                               std::to_string(wire::max_site_length) +
                               " of letters, digits, '.', '_', ':', '/', '-')");
    }
    return site;
}

}  // namespace xfer::cli
