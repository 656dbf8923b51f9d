// Where xfer keeps its own files, one convention for every part of it (XDG Base Directory spec):
//
//   what                        default                              with --home DIR
//   identity, trust (config)    $XDG_CONFIG_HOME/xfer, ~/.config/xfer  DIR/config
//   manifest cache (cache)      $XDG_CACHE_HOME/xfer,  ~/.cache/xfer   DIR/cache
//   journals, logs (state)      $XDG_STATE_HOME/xfer,  ~/.local/state/xfer DIR/state
//
// Per the spec an XDG variable that is unset, empty or not an absolute path is ignored (a
// relative value would make xfer's files depend on the working directory). Nothing of xfer's is
// ever written inside a served directory. Directories are created only when something is
// written into them, with mode 700: a cache of file manifests already says what a user shares.
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace xfer {

struct xfer_home {
    std::filesystem::path config;
    std::filesystem::path cache;
    std::filesystem::path state;
};

// Looks up an environment variable; nullopt when unset. Injected so the rules are testable.
using environment_lookup = std::function<std::optional<std::string>(std::string_view name)>;
std::optional<std::string> process_environment(std::string_view name);

// `home_override` is the --home DIR value (made absolute against the working directory). Without
// it, the XDG variables and then $HOME decide; a missing or relative $HOME falls back to the
// password database. Fails (with a sentence to show the user) only when no home can be found.
std::expected<xfer_home, std::string> resolve_xfer_home(
    const std::optional<std::filesystem::path>& home_override,
    const environment_lookup& environment = process_environment);

// Creates `directory` and any missing parents; those it creates get mode 700 (existing ones are
// left as they are: ~/.cache may be shared policy). Fails if `directory` exists as a non-directory.
std::error_code ensure_private_directory(const std::filesystem::path& directory);

}  // namespace xfer
