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

namespace {

int report(std::string_view command, failure_class failure, std::string_view message, bool json,
           const std::string_view* path) {
    std::fprintf(stderr, "xfer %.*s: %s\n", static_cast<int>(command.size()), command.data(),
                 safe_text(message).c_str());
    if (json) {
        json_object line("error");
        line.text("class", failure_name(failure))
            .number("exit_status", static_cast<uint64_t>(exit_status(failure)))
            .text("message", message);
        if (path) line.text("path", *path);
        emit(line);
    }
    return exit_status(failure);
}

}  // namespace

int report_failure(std::string_view command, failure_class failure, std::string_view message,
                   bool json) {
    return report(command, failure, message, json, nullptr);
}

int report_failure(std::string_view command, failure_class failure, std::string_view message,
                   bool json, std::string_view path) {
    return report(command, failure, message, json, &path);
}

}  // namespace xfer::cli
