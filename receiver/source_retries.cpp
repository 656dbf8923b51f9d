#include "receiver/source_retries.hpp"

#include <algorithm>

namespace xfer::receiver {

int source_retries::attempts(const std::string& name) const {
    const auto it = attempts_.find(name);
    return it == attempts_.end() ? 0 : it->second;
}

std::optional<std::chrono::milliseconds> source_retries::after_drop(const net::endpoint& source,
                                                                    bool partner_not_up,
                                                                    bool discovered,
                                                                    clock::time_point now) {
    int& attempts = attempts_[source.to_string()];
    if (!partner_not_up && !(discovered && attempts < max_discovery_attempts)) return std::nullopt;
    const int attempt = attempts++;
    const auto delay = std::chrono::milliseconds(100 << std::min(attempt, 4));
    pending_.emplace_back(source, now + delay);
    return delay;
}

std::vector<net::endpoint> source_retries::take_due(clock::time_point now) {
    std::vector<net::endpoint> due;
    std::erase_if(pending_, [&](const auto& retry) {
        if (now < retry.second) return false;
        due.push_back(retry.first);
        return true;
    });
    return due;
}

void source_retries::forget(const net::endpoint& source) {
    std::erase_if(pending_, [&](const auto& retry) { return retry.first == source; });
}

}  // namespace xfer::receiver
