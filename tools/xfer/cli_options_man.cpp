#include "tools/xfer/cli_options_man.hpp"

#include <sstream>

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
    out << ".SH COMMON OPTIONS\nEvery command takes these.\n";
    po::options_description common;
    add_common_options(common);
    options_section(out, common);
    out << ".SH EXIT STATUS\n.TP\n0\nsuccess\n.TP\n1\nthe operation failed (network, disk, peer)\n"
        << ".TP\n2\nbad command line\n.TP\n130\ninterrupted (run the same command again to "
           "resume)\n"
        << ".SH ENVIRONMENT\n.TP\nXFER_LAN=off\ndo not announce on or listen to the LAN\n"
        << ".TP\nXFER_LAN_INTERFACES\ncomma\\-separated interfaces for LAN discovery (default: "
           "all)\n"
        << ".SH SEE ALSO\nThe documents installed with xfer: README.md, ARCHITECTURE.md, "
           "PROTOCOL.md, DISCOVERY.md.\n";
    return out.str();
}

}  // namespace xfer::cli
