// Small metadata files written so a crash leaves either the old or the new content, never a mix.
#pragma once

#include <sys/types.h>

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace xfer {

// Writes to a temporary file beside `path`, then renames it over `path`. With `durable`, fsyncs
// the data before the rename and the directory after it.
// `mode` is the new file's (before the umask).
std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const uint8_t> data, bool durable,
                                      mode_t mode = 0644);
// The same with the file's bytes given as parts, written one after the other: a checkpoint of a
// large tree is written from the manifest it already holds, not from a copy of it (issue 11).
std::error_code write_file_atomically(const std::filesystem::path& path,
                                      std::span<const std::span<const uint8_t>> parts, bool durable,
                                      mode_t mode = 0644);

// Removes the temporaries (NAME.tmpPID) that write_file_atomically left in `directory` when its
// process was killed mid-write: those whose process is gone. A live writer's are kept.
void remove_stale_temporaries(const std::filesystem::path& directory);

// Whole file, if it exists and is at most max_size bytes.
std::optional<std::vector<uint8_t>> read_small_file(const std::filesystem::path& path,
                                                    size_t max_size);

// fsync of a directory, so a rename inside it survives a power cut.
std::error_code sync_directory(const std::filesystem::path& directory);

}  // namespace xfer
