// What the fetch progress display shows, as a pure function of the transfer's state and the
// terminal's size, so the layout is tested without a terminal (progress_display draws it).
//
//   debian.iso [##########..........]  42%  1.40 GiB / 2.00 GiB  12.3 MiB/s  ETA 1m05s
//     file photos/2024/img_0042.jpg      (a tree: the file being written)
//     down 192.168.1.5:7420              8.10 MiB/s  600 MiB received
//     up   laptop (10.0.0.7:7420)        1.20 MiB/s   20 MiB sent
//
// Every line is at most width - 1 columns: a line that filled the last column would leave the
// cursor in the terminal's pending-wrap state, and a wrapped line breaks the cursor-up redraw.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xfer::cli {

struct progress_peer {
    enum class direction { down, up };
    direction way = direction::down;
    std::string label;
    double rate = 0;     // bytes per second
    uint64_t bytes = 0;  // received from (down) or sent to (up) this peer so far
};

struct progress_state {
    std::string name;
    bool manifest_known = false;
    uint64_t wanted_bytes = 0;
    uint64_t verified_bytes = 0;  // of the wanted ones, including those verified before a resume
    uint64_t file_count = 0;      // a tree: "done/all files" before the bytes (0: one file)
    uint64_t files_complete = 0;
    std::string current_file;  // a tree: the file being written, display-safe ("": no line)
    double rate = 0;           // bytes per second, all sources together
    std::vector<progress_peer> peers;
};

// The lines to draw: the total first, then (a tree) the current file, then one per peer while
// they fit in `max_lines` (when some do not, the last line says how many are left out). `width`
// is the terminal's columns. A long file name keeps its end ("~to/the/file.jpg").
std::vector<std::string> layout_progress(const progress_state& state, int width, int max_lines);

// "resuming: 1.40 GiB of 2.00 GiB already verified", fitted to `width` (0: no limit).
std::string layout_resume_notice(uint64_t resumed_bytes, uint64_t wanted_bytes, int width);

struct fetch_summary {
    std::string target;  // the file written (or kept partial, for a range)
    bool whole_file = true;
    uint64_t wanted_bytes = 0;
    uint64_t downloaded_bytes = 0;
    uint64_t resumed_bytes = 0;
    uint64_t file_count = 0;  // a tree: "N files, " before the bytes (0: one file)
    bool uploading = false;   // --listen: also say what was uploaded
    uint64_t uploaded_bytes = 0;
    double seconds = 0;
};

// One line: "fetched PATH  2.00 GiB in 1.93 s  1.04 GiB/s  (N bytes downloaded, M uploaded)".
// With a width (a terminal; 0: no limit) the exact counts go first, then the path is shortened
// from the left, so the line never wraps. Scripts (no terminal) always get the whole line.
std::string layout_summary(const fetch_summary& summary, int width);

}  // namespace xfer::cli
