// Text that came from a peer (error texts, names, paths, announcements) made safe to show on a
// terminal or write to a log: a peer must not be able to retitle, clear or rewrite the user's
// screen with escape sequences (the class of croc's CVE-2023-43621).
//
//   std::fprintf(stderr, "xfer ls: %s\n", safe_text(remote_error).c_str());
#pragma once

#include <string>
#include <string_view>

namespace xfer {

// Keeps printable ASCII and well-formed printable UTF-8 as they are. Shows as visible escapes:
// C0 controls and DEL ("\x1b", "\x7f"; tab and newline too, so one peer string stays one line),
// C1 controls U+0080..U+009F ("\u009b"), the bidirectional overrides and isolates and the line
// and paragraph separators ("\u202e"), and every byte of ill-formed UTF-8 (overlong forms,
// surrogates, code points past U+10FFFF, truncated sequences: "\xc2"). A backslash is shown as
// "\\", so an escape in the output always means the peer sent that byte, never the text "\x1b".
std::string safe_text(std::string_view peer_text);

}  // namespace xfer
