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

namespace xfer::cli {

namespace {

void manifest_options(po::options_description& options) {
    options.add_options()("pieces", "also list every piece: index, offset, length, SHA-256");
}

}  // namespace

command_spec manifest_spec() {
    return {.name = "manifest",
            .summary = "print a file's content id and piece layout",
            .positionals = {{"FILE", "a local file"}},
            .usage_tail = "[--pieces]",
            .more_usage = {},
            .notes = {},
            .examples =
                "  xfer manifest big.iso            # content id, size, piece size\n"
                "  xfer manifest big.iso --pieces   # and each piece's hash\n",
            .add_options = manifest_options};
}

int run_manifest(int argc, char** argv) {
    const auto spec = manifest_spec();
    auto parsed = parse_command_line(argc, argv, spec);
    if (parsed.exit_now) return *parsed.exit_now;
    const auto path = parsed.arg("FILE");
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat info {};
    if (!fd || ::fstat(fd.get(), &info) != 0) {
        std::fprintf(stderr, "xfer manifest: %s: %s\n", path.c_str(), std::strerror(errno));
        return exit_failure;
    }
    if (!S_ISREG(info.st_mode)) {
        std::fprintf(stderr, "xfer manifest: %s: not a regular file\n", path.c_str());
        return exit_failure;
    }
    const auto m = hash_file(fd.get(), static_cast<uint64_t>(info.st_size),
                             std::max(1u, std::thread::hardware_concurrency()));
    if (!m) {
        std::fprintf(stderr, "xfer manifest: %s: %s\n", path.c_str(), m.error().message().c_str());
        return exit_failure;
    }
    const auto encoded = encode_manifest(*m);
    std::cout << "file:        " << path << "\n"
              << "content id:  " << to_hex(content_id_of(encoded)) << "\n"
              << "size:        " << m->file_size << " bytes\n"
              << "piece size:  " << m->piece_size << " bytes\n"
              << "pieces:      " << m->piece_count();
    if (m->piece_count() > 0)
        std::cout << " (last piece " << m->piece_length(m->piece_count() - 1) << " bytes)";
    std::cout << "\nmanifest:    " << encoded.size() << " bytes\n";
    if (parsed.values.count("pieces")) {
        for (uint32_t piece = 0; piece < m->piece_count(); ++piece) {
            std::cout << piece << " " << m->piece_offset(piece) << " " << m->piece_length(piece)
                      << " " << to_hex(m->piece_hashes[piece]) << "\n";
        }
    }
    return exit_ok;
}

}  // namespace xfer::cli
