// One exit status per class of failure, so a script can tell "not there" from "network down"
// from "disk full" without reading stderr. The table is in the man page (xfer --man), README
// and docs/JSON.md; --json prints the class name ("network") in its error event.
#pragma once

#include <span>
#include <string_view>
#include <system_error>

namespace xfer::cli {

enum class failure_class {
    other = 1,         // failed for a reason none of the others names
    usage = 2,         // bad command line
    not_found = 3,     // the peer does not share that path (or no peer has it)
    network = 4,       // cannot connect, connection lost, timed out, no source left
    integrity = 5,     // data from a peer failed verification or broke the protocol
    local_io = 6,      // cannot read or write a local file or directory (disk full, permission)
    refused = 7,       // the peer refused (outside its share, busy), or the output exists (--force)
    pairing = 8,       // pairing failed: wrong code, or the code expired, was used or died
    interrupted = 130  // Ctrl-C or SIGTERM; resume state kept
};

// The class of an error from the data path (xfer's own codes or errno).
failure_class classify(const std::error_code& error);

// "network", "not_found", ...: the name --json prints.
std::string_view failure_name(failure_class failure);

inline int exit_status(failure_class failure) {
    return static_cast<int>(failure);
}

// Every exit status with what it means, 0 first: the man page's EXIT STATUS section.
struct exit_status_row {
    int status;
    std::string_view meaning;
};
std::span<const exit_status_row> exit_status_table();

}  // namespace xfer::cli
