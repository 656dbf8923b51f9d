// The running part of `xfer fetch`: the paths of one command fetched one after another into one
// output directory from the same sources, with --listen's sender and discovery shared by all,
// one progress display and one summary (files, bytes, time, rate over every path). A path that
// fails says so in one line naming it, and the others still go; the exit status is that of the
// first failure (0 only when every path arrived).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "receiver/fetcher.hpp"
#include "shared/discovery/tracker_link.hpp"
#include "shared/net/address.hpp"
#include "shared/store/piece_store.hpp"
#include "tools/xfer/cli_options.hpp"

namespace xfer::cli {

// `base` holds everything but the path and output name; `paths` were checked (each names a
// file or directory, no two the same NAME in the output directory).
int fetch_paths(zmq::context_t& context, const parsed_options& parsed,
                const std::shared_ptr<piece_store>& store, receiver::fetch_request base,
                const std::vector<std::string>& paths,
                const std::optional<discovery::tracker_link>& tracker, const volatile int* stop);

// NAME of PATH in the output directory ("isos/debian.iso" -> "debian.iso", "photos/" ->
// "photos"); empty, "." or ".." when PATH names neither a file nor a directory.
std::string last_component(const std::string& path);

}  // namespace xfer::cli
