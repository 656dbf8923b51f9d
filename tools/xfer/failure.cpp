#include "tools/xfer/failure.hpp"

#include <cstdio>

#include "shared/core/safe_text.hpp"
#include "tools/xfer/json_writer.hpp"

namespace xfer::cli {

void add_json_option(po::options_description& options) {
    options.add_options()("json",
                          "print newline-delimited JSON events on stdout instead of text (no "
                          "progress bar, no colour; see docs/JSON.md)");
}

bool json_requested(const po::variables_map& values) {
    return values.count("json") > 0;
}

int report_failure(std::string_view command, failure_class failure, std::string_view message,
                   bool json) {
    std::fprintf(stderr, "xfer %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 safe_text(message).c_str());
    if (json) {
        emit(json_object("error")
                 .text("class", failure_name(failure))
                 .number("exit_status", static_cast<uint64_t>(exit_status(failure)))
                 .text("message", message));
    }
    return exit_status(failure);
}

}  // namespace xfer::cli
