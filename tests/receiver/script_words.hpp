// The words of a scheduler script (scheduler_script.hpp): source names (A, B, ...), lists of
// numbers ("0-2,5") and rates ("10M").
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "receiver/transfer_scheduler.hpp"

namespace xfer::receiver::testing::script_words {

inline peer_key key_of(const std::string& name) {
    return peer_key(name.at(0) - 'A' + 1);
}
inline std::string name_of(peer_key key) {
    return std::string(1, char('A' + key - 1));
}

inline std::vector<uint32_t> numbers(const std::string& text) {
    std::vector<uint32_t> out;
    std::istringstream items(text);
    std::string item;
    while (std::getline(items, item, ',')) {
        const auto dash = item.find('-');
        const uint32_t first = std::stoul(item.substr(0, dash));
        const uint32_t last = dash == std::string::npos ? first : std::stoul(item.substr(dash + 1));
        for (uint32_t n = first; n <= last; ++n) out.push_back(n);
    }
    return out;
}

inline double rate_of(const std::string& text) {
    const char unit = text.back();
    const double scale = unit == 'M' ? 1e6 : unit == 'K' ? 1e3 : 1;
    return std::stod(scale == 1 ? text : text.substr(0, text.size() - 1)) * scale;
}

}  // namespace xfer::receiver::testing::script_words
