// `xfer fetch ... -o -`: the file on standard output, every byte verified before the first is
// released. The fetch runs as usual into a staging directory of its own under xfer's cache
// (CACHE/stdout/KEY, KEY from the sources and the path), so an interrupted `-o -` resumes like
// any fetch; once the file is complete it is copied to stdout and the staging directory goes.
// Summary and notes go to stderr then: stdout carries the file's bytes only.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace xfer::cli {

// The staging directory for one `-o -` fetch (not created).
std::filesystem::path stdout_staging(const std::filesystem::path& cache_dir,
                                     const std::vector<std::string>& sources,
                                     const std::string& remote_path);

// Copies the complete file to standard output (sendfile, else read/write). EPIPE (the reader
// went away, as with `| head`) is reported like any error; the caller decides what to say.
std::error_code copy_to_stdout(const std::filesystem::path& file);

}  // namespace xfer::cli
