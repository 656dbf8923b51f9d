#include "tools/xfer/cli_options_man.hpp"

#include <sstream>

#include "tools/xfer/exit_status.hpp"

namespace xfer::cli {
namespace {

// Text safe inside roff: backslashes and hyphens escaped, no line starting with '.' or '\''.
std::string roff(const std::string& text) {
    std::string out;
    bool line_start = true;
    for (const char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
        line_start = c == '\n';
    }
    return out;
}

void options_section(std::ostringstream& out, const po::options_description& options) {
    for (const auto& option : options.options()) {
        out << ".TP\n.B " << roff(option->format_name());
        const auto parameter = option->format_parameter();
        if (!parameter.empty()) out << " " << roff(parameter);
        out << "\n" << roff(option->description()) << "\n";
    }
}

// "  xfer fetch HOST FILE   # what" lines, as an indented literal block.
void examples_section(std::ostringstream& out, const std::string& examples) {
    out << ".PP\nExamples:\n.PP\n.nf\n.RS\n" << roff(examples) << ".RE\n.fi\n";
}

}  // namespace

namespace {

// One section per command: usage, summary, arguments, options, notes, examples.
void commands_section(std::ostringstream& out, const std::vector<command_spec>& specs) {
    out << ".SH COMMANDS\n";
    for (const auto& spec : specs) {
        out << ".SS " << roff(usage_line(spec)) << "\n" << roff(spec.summary) << ".\n";
        if (!spec.more_usage.empty()) out << ".PP\n.nf\n" << roff(spec.more_usage) << ".fi\n";
        for (const auto& arg : spec.positionals)
            out << ".TP\n.I " << arg.name << "\n" << roff(arg.help) << "\n";
        po::options_description options;
        if (spec.add_options) spec.add_options(options);
        options_section(out, options);
        if (!spec.notes.empty()) out << ".PP\n" << roff(spec.notes);
        examples_section(out, spec.examples);
    }
}

// What every command shares: rates, JSON output, exit status, files, environment.
void reference_sections(std::ostringstream& out) {
    out << ".SH RATES\n"
        << roff(
               "RATE (--limit-up, --limit-down) is bytes per second over all connections of the\n"
               "process: a number, then K, M, G or T (powers of 1024, as in curl and rsync; KiB,\n"
               "MiB, GiB, TiB say the same), KB, MB, GB, TB (powers of 1000) or kbit, mbit, gbit\n"
               "(1000^n bits), optionally followed by /s: 500K, 10M, 1.5G, 2.5MiB/s, 100mbit.\n");
    out << ".SH JSON OUTPUT\n"
        << roff(
               "With --json (fetch, ls, peers, id, serve) stdout carries one JSON object per "
               "line,\n"
               "each with an \"event\" field; a failure ends with an \"error\" event that names\n"
               "its class and exit status. Every event and field is listed in JSON.md.\n");
    out << ".SH EXIT STATUS\n";
    for (const auto& row : exit_status_table())
        out << ".TP\n" << row.status << "\n" << roff(std::string(row.meaning) + "\n");
    out << ".SH FILES\n"
        << roff(
               "CONFIG is ~/.config/xfer ($XDG_CONFIG_HOME/xfer), or DIR/config with --home "
               "DIR.\n")
        << ".TP\nCONFIG/trust/known_peers\n"
        << roff("the peers this machine knows (xfer trust: list, rename, remove)\n")
        << ".TP\nCONFIG/trust/known_trackers\n"
        << roff(
               "the tracker keys pinned per address (xfer trust trackers; xfer trust "
               "remove-tracker HOST[:PORT] forgets one whose tracker has a new key)\n");
    out << ".SH ENVIRONMENT\n.TP\nXFER_LAN=off\ndo not announce on or listen to the LAN\n"
        << ".TP\nXFER_LAN_INTERFACES\ncomma\\-separated interfaces for LAN discovery (default: "
           "all)\n"
        << ".TP\nXFER_DIRECT_IO=off\nwrite fetched pieces through the page cache instead of with "
           "direct I/O (the default where the file system supports it)\n"
        << ".SH SEE ALSO\nThe documents installed with xfer: README.md, ARCHITECTURE.md, "
           "PROTOCOL.md, DISCOVERY.md.\n";
}

}  // namespace

std::string man_page(const std::vector<command_spec>& specs) {
    std::ostringstream out;
    out << ".TH XFER 1 \"\" \"xfer " XFER_VERSION "\" \"User Commands\"\n"
        << ".SH NAME\nxfer \\- fast, verified, resumable file transfer on a LAN\n"
        << ".SH SYNOPSIS\n";
    for (const auto& spec : specs) out << ".B " << roff(usage_line(spec)) << "\n.br\n";
    out << ".SH DESCRIPTION\n"
        << "Every peer shares a directory and fetches files piece by piece from every peer that "
           "has\n"
           "them, verifying each piece (SHA\\-256) before it is written. An interrupted fetch "
           "resumes\n"
           "where it stopped. A file appears under its own name only once all of it is verified.\n";
    commands_section(out, specs);
    out << ".SH COMMON OPTIONS\nEvery command takes these.\n";
    po::options_description common;
    add_common_options(common);
    options_section(out, common);
    reference_sections(out);
    return out.str();
}

}  // namespace xfer::cli
