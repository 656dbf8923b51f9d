// One content (one version of one file, or of one tree) as the store holds it: its manifest,
// where its bytes are and which pieces are verified. Shared by the sender and receiver threads of a
// process.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/core/ids.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/content_files.hpp"
#include "shared/store/direct_write.hpp"
#include "shared/store/piece_bitfield.hpp"
#include "shared/store/resume_state.hpp"
#include "shared/store/streamed_manifest.hpp"

namespace xfer {

// What identifies a served file's version cheaply: if any of it changes, so may the bytes.
struct file_identity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    static file_identity of(const struct stat& info);
    friend bool operator==(const file_identity&, const file_identity&) = default;
};

class content_entry {
  public:
    content_entry(content_id id, manifest m, std::vector<uint8_t> encoded, std::string path,
                  unique_fd data)
        : id(id),
          manifest(std::move(m)),
          encoded_manifest(std::move(encoded)),
          path(std::move(path)),
          data_fd(std::move(data)),
          have(manifest.piece_count()) {}

    const content_id id;
    const xfer::manifest manifest;
    const std::vector<uint8_t> encoded_manifest;
    const std::string path;   // final relative path in the store root
    const unique_fd data_fd;  // a single file: read (and, when fetching here, written) directly
    // A tree: `manifest` is the geometry of its files' bytes end to end (file_size = all file
    // bytes, the tree's piece size and hashes), `encoded_manifest` the tree manifest (empty for
    // a fetch's placeholder, which is never checkpointed nor served), and these the files a
    // piece's bytes are in. Null for a single file.
    std::shared_ptr<content_files> files;
    bool is_tree() const { return files != nullptr; }
    piece_bitfield have;  // verified pieces; nothing else is ever served
    std::atomic<bool> complete{false};

    // Served before it is hashed (a content whose manifest was not cached): `id`, `manifest`'s
    // hashes and `encoded_manifest` are placeholders (a tree's is empty: its encoding, ~10 bytes
    // an entry, is the stream's alone), the hashes known so far are here, and
    // `have` is unused: the pieces below streaming->known() are the ones served. Never
    // registered by id; once hashed, the cached manifest names the content.
    std::shared_ptr<streamed_manifest> streaming;

    // Set for a complete file served from disk: checked before sending, so a file edited while
    // it is served is reported as changed rather than sent as a mix of two versions.
    file_identity served_identity{};
    bool check_identity = false;

    // Fetch side (this process writes the part file).
    bool fetching = false;
    std::string part_path;  // relative path of NAME.xfer-part
    direct_write writer;    // how verified pieces reach the part file
    std::filesystem::path state_path;
    std::filesystem::path journal_path;
    piece_journal journal;
    std::mutex state_mutex;  // checkpoint vs finalize
};

}  // namespace xfer
