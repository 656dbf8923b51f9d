// RATE for --limit-up and --limit-down: every unit, and a clear line for what is not a rate.
#include "tools/xfer/rate_option.hpp"

#include <gtest/gtest.h>

namespace xfer::cli {
namespace {

uint64_t rate(const char* text) {
    const auto parsed = parse_rate(text);
    EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error();
    return parsed.value_or(0);
}

TEST(RateOption, UnitsAsDocumented) {
    EXPECT_EQ(rate("1000"), 1000u);
    EXPECT_EQ(rate("1000B"), 1000u);
    EXPECT_EQ(rate("500K"), 500u * 1024);
    EXPECT_EQ(rate("10M"), 10u * 1024 * 1024);
    EXPECT_EQ(rate("1.5G"), 1536u * 1024 * 1024);
    EXPECT_EQ(rate("1T"), 1ull << 40);  // the most accepted
    EXPECT_EQ(rate("2.5MiB/s"), 2621440u);
    EXPECT_EQ(rate("3KiB"), 3072u);
    EXPECT_EQ(rate("20MB"), 20'000'000u);
    EXPECT_EQ(rate("1GB/s"), 1'000'000'000u);
    EXPECT_EQ(rate("100mbit"), 12'500'000u);
    EXPECT_EQ(rate("8kbit"), 1000u);
    EXPECT_EQ(rate("1Gbit/s"), 125'000'000u);
    EXPECT_EQ(rate("10m"), rate("10M"));  // case does not matter
}

TEST(RateOption, WhatIsNotARateSaysSoAndShowsTheForms) {
    for (const char* bad :
         {"", "fast", "M", "10X", "1.2.3M", "-5M", "10 M", "0", "0.1", "2000T", "/s", "1e6"}) {
        const auto parsed = parse_rate(bad);
        ASSERT_FALSE(parsed.has_value()) << "'" << bad << "' was accepted";
        EXPECT_NE(parsed.error().find(std::string("'") + bad + "'"), std::string::npos)
            << parsed.error();
        EXPECT_NE(parsed.error().find("e.g. 500K, 10M"), std::string::npos) << parsed.error();
    }
}

TEST(RateOption, OptionErrorsNameTheOption) {
    po::options_description options;
    add_limit_option(options, "limit-down", "help");
    po::variables_map values;
    const char* argv[] = {"fetch", "--limit-down", "lots"};
    po::store(po::parse_command_line(3, argv, options), values);
    const auto parsed = rate_option(values, "limit-down");
    ASSERT_FALSE(parsed.has_value());
    EXPECT_TRUE(parsed.error().starts_with("--limit-down: 'lots' is not a rate")) << parsed.error();
    po::variables_map none;
    EXPECT_EQ(rate_option(none, "limit-down").value(), 0u);
}

}  // namespace
}  // namespace xfer::cli
