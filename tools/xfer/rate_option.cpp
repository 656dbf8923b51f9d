#include "tools/xfer/rate_option.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "shared/core/token_bucket.hpp"

namespace xfer::cli {
namespace {

std::string lowercase(std::string_view text) {
    std::string lower(text);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

// Bytes per second that one of `unit` stands for; 0 if the unit is unknown.
double unit_bytes(const std::string& unit) {
    struct named_unit {
        const char* name;
        double bytes;
    };
    constexpr double ki = 1024.0, k = 1000.0;
    static constexpr named_unit units[] = {
        {"", 1},
        {"b", 1},
        {"k", ki},
        {"m", ki * ki},
        {"g", ki * ki * ki},
        {"t", ki * ki * ki * ki},
        {"kib", ki},
        {"mib", ki * ki},
        {"gib", ki * ki * ki},
        {"tib", ki * ki * ki * ki},
        {"kb", k},
        {"mb", k * k},
        {"gb", k * k * k},
        {"tb", k * k * k * k},
        {"kbit", k / 8},
        {"mbit", k * k / 8},
        {"gbit", k * k * k / 8},
    };
    for (const auto& candidate : units) {
        if (unit == candidate.name) return candidate.bytes;
    }
    return 0;
}

std::string problem(std::string_view text, const std::string& what) {
    return "'" + std::string(text) + "' " + what +
           " (bytes per second, e.g. 500K, 10M, 1.5G, 2.5MiB/s, 20MB, 100mbit)";
}

}  // namespace

std::expected<uint64_t, std::string> parse_rate(std::string_view text) {
    auto rest = lowercase(text);
    if (rest.ends_with("/s")) rest.resize(rest.size() - 2);
    size_t number_end = 0;
    while (number_end < rest.size() &&
           (std::isdigit(static_cast<unsigned char>(rest[number_end])) || rest[number_end] == '.'))
        ++number_end;
    double number = 0;
    const auto parsed =
        std::from_chars(rest.data(), rest.data() + number_end, number, std::chars_format::fixed);
    if (number_end == 0 || parsed.ec != std::errc{} || parsed.ptr != rest.data() + number_end)
        return std::unexpected(problem(text, "is not a rate"));
    const double per_unit = unit_bytes(rest.substr(number_end));
    if (per_unit == 0) return std::unexpected(problem(text, "has an unknown unit"));
    const double bytes = std::round(number * per_unit);
    if (bytes < 1) return std::unexpected(problem(text, "is less than 1 byte per second"));
    if (bytes > static_cast<double>(token_bucket::max_rate))
        return std::unexpected(problem(text, "is more than 1 TiB per second"));
    return static_cast<uint64_t>(bytes);
}

void add_limit_option(po::options_description& options, const char* name, const char* help) {
    options.add_options()(name, po::value<std::string>()->value_name("RATE"), help);
}

std::expected<uint64_t, std::string> rate_option(const po::variables_map& values,
                                                 const std::string& name) {
    if (!values.count(name)) return 0;
    auto rate = parse_rate(values[name].as<std::string>());
    if (!rate) return std::unexpected("--" + name + ": " + rate.error());
    return *rate;
}

}  // namespace xfer::cli
