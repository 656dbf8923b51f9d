// xfer manifest FILE: the content id and piece layout a peer would be told for FILE.
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "shared/core/fd.hpp"
#include "shared/manifest/file_hasher.hpp"
#include "tools/xfer/cli_options.hpp"
#include "tools/xfer/command.hpp"
#include "tools/xfer/failure.hpp"
#include "tools/xfer/json_writer.hpp"

namespace xfer::cli {

namespace {

void manifest_options(po::options_description& options) {
    options.add_options()("pieces", "also list every piece: index, offset, length, SHA-256");
    add_json_option(options);
}

// {"event":"manifest",...}, then with --pieces one {"event":"piece",...} per piece.
void print_json(const std::string& path, const manifest& m, const std::vector<uint8_t>& encoded,
                bool pieces) {
    emit(json_object("manifest")
             .text("file", path)
             .text("content_id", to_hex(content_id_of(encoded)))
             .number("size", m.file_size)
             .number("piece_size", m.piece_size)
             .number("pieces", m.piece_count())
             .number("manifest_bytes", encoded.size()));
    if (!pieces) return;
    for (uint32_t piece = 0; piece < m.piece_count(); ++piece) {
        emit(json_object("piece")
                 .number("index", piece)
                 .number("offset", m.piece_offset(piece))
                 .number("length", m.piece_length(piece))
                 .text("sha256", to_hex(m.piece_hashes[piece])));
    }
}

void print_text(const std::string& path, const manifest& m, const std::vector<uint8_t>& encoded,
                bool pieces) {
    std::cout << "file:        " << path << "\n"
              << "content id:  " << to_hex(content_id_of(encoded)) << "\n"
              << "size:        " << m.file_size << " bytes\n"
              << "piece size:  " << m.piece_size << " bytes\n"
              << "pieces:      " << m.piece_count();
    if (m.piece_count() > 0)
        std::cout << " (last piece " << m.piece_length(m.piece_count() - 1) << " bytes)";
    std::cout << "\nmanifest:    " << encoded.size() << " bytes\n";
    if (!pieces) return;
    for (uint32_t piece = 0; piece < m.piece_count(); ++piece) {
        std::cout << piece << " " << m.piece_offset(piece) << " " << m.piece_length(piece) << " "
                  << to_hex(m.piece_hashes[piece]) << "\n";
    }
}

}  // namespace

command_spec manifest_spec() {
    return {
        .name = "manifest",
        .summary = "print a file's content id and piece layout",
        .positionals = {{"FILE", "a local file"}},
        .usage_tail = "[--pieces] [--json]",
        .more_usage = {},
        .notes = {},
        .examples =
            "  xfer manifest big.iso            # content id, size, piece size\n"
            "  xfer manifest big.iso --pieces   # and each piece's hash\n"
            "  xfer manifest big.iso --json     # {\"event\":\"manifest\",\"content_id\":...}\n",
        .add_options = manifest_options};
}

int run_manifest(int argc, char** argv) {
    const auto spec = manifest_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto path = parsed.arg("FILE");
    const bool json = json_requested(parsed.values);
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat info {};
    if (!fd || ::fstat(fd.get(), &info) != 0) {
        const auto cause = std::error_code(errno, std::generic_category());
        return report_failure("manifest", classify(cause), path + ": " + cause.message(), json);
    }
    if (!S_ISREG(info.st_mode))
        return report_failure("manifest", failure_class::other, path + ": not a regular file",
                              json);
    const auto m = hash_file(fd.get(), static_cast<uint64_t>(info.st_size),
                             std::max(1u, std::thread::hardware_concurrency()));
    if (!m)
        return report_failure("manifest", classify(m.error()), path + ": " + m.error().message(),
                              json);
    const auto encoded = encode_manifest(*m);
    const bool pieces = parsed.values.count("pieces") > 0;
    json ? print_json(path, *m, encoded, pieces) : print_text(path, *m, encoded, pieces);
    return exit_ok;
}

}  // namespace xfer::cli
