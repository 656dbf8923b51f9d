#include "shared/core/xfer_home.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace xfer {
namespace {

constexpr std::string_view app_name = "xfer";

// An XDG_*_HOME value counts only when set, non-empty and absolute (XDG Base Directory spec).
std::optional<std::filesystem::path> usable_base(const environment_lookup& environment,
                                                 std::string_view name) {
    auto value = environment(name);
    if (!value || value->empty()) return std::nullopt;
    std::filesystem::path path(*value);
    if (!path.is_absolute()) return std::nullopt;
    return path.lexically_normal();
}

std::optional<std::filesystem::path> user_home(const environment_lookup& environment) {
    if (auto home = usable_base(environment, "HOME")) return home;
    // No usable $HOME (a service, `env -i`): the password database still knows.
    std::vector<char> buffer(16384);
    struct passwd entry {};
    struct passwd* found = nullptr;
    if (::getpwuid_r(::getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found &&
        found->pw_dir && found->pw_dir[0] == '/') {
        return std::filesystem::path(found->pw_dir);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> process_environment(std::string_view name) {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
}

std::expected<xfer_home, std::string> resolve_xfer_home(
    const std::optional<std::filesystem::path>& home_override,
    const environment_lookup& environment) {
    if (home_override) {
        if (home_override->empty()) return std::unexpected("--home needs a directory");
        std::error_code ec;
        auto base = std::filesystem::absolute(*home_override, ec);
        if (ec) return std::unexpected("--home " + home_override->string() + ": " + ec.message());
        base = base.lexically_normal();
        return xfer_home{base / "config", base / "cache", base / "state"};
    }
    const auto home = user_home(environment);
    auto base_for = [&](std::string_view variable,
                        std::filesystem::path fallback) -> std::optional<std::filesystem::path> {
        if (auto base = usable_base(environment, variable)) return *base / app_name;
        if (!home) return std::nullopt;
        return *home / fallback / app_name;
    };
    auto config = base_for("XDG_CONFIG_HOME", ".config");
    auto cache = base_for("XDG_CACHE_HOME", ".cache");
    auto state = base_for("XDG_STATE_HOME", std::filesystem::path(".local") / "state");
    if (!config || !cache || !state) {
        return std::unexpected(
            "cannot find a home directory for xfer's files: set HOME or use --home DIR");
    }
    return xfer_home{std::move(*config), std::move(*cache), std::move(*state)};
}

std::error_code ensure_private_directory(const std::filesystem::path& directory) {
    if (directory.empty()) return std::make_error_code(std::errc::invalid_argument);
    struct stat info {};
    if (::stat(directory.c_str(), &info) == 0) {
        return S_ISDIR(info.st_mode) ? std::error_code{}
                                     : std::make_error_code(std::errc::not_a_directory);
    }
    const auto parent = directory.parent_path();
    if (!parent.empty() && parent != directory) {
        if (auto ec = ensure_private_directory(parent)) return ec;
    }
    // mkdir applies the umask, which can only take bits away from 700.
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST)
        return {errno, std::generic_category()};
    return {};
}

}  // namespace xfer
