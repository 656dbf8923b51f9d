// A fetch whose manifest was streamed: the part file kept under a placeholder manifest becomes
// the real content's once its last hash is in (docs/PROTOCOL.md, "Streamed manifest").
#include "shared/store/atomic_file.hpp"
#include "shared/store/path_guard.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {

void piece_store::register_placeholder(const content_id& id) {
    std::lock_guard lock(mutex_);
    placeholders_.insert(id);
}

bool piece_store::is_placeholder(const content_id& id) const {
    std::lock_guard lock(mutex_);
    return placeholders_.contains(id);
}

std::optional<std::vector<uint8_t>> piece_store::resume_manifest(std::string_view name) const {
    auto path = normalize_relative_path(name, /*allow_root=*/false);
    if (!path) return std::nullopt;
    // A tree's state holds its manifest (at most one MANIFEST frame) and a bitfield.
    auto bytes = read_small_file(state_path_for(*path), wire::max_manifest_bytes + 1024 * 1024);
    if (!bytes) return std::nullopt;
    const auto state = view_resume_state(*bytes);
    if (!state || state->path != *path) return std::nullopt;
    return std::vector<uint8_t>(state->encoded_manifest.begin(), state->encoded_manifest.end());
}

std::expected<std::shared_ptr<content_entry>, std::error_code> piece_store::adopt_manifest(
    content_entry& placeholder, std::vector<uint8_t>&& encoded_manifest, bool overwrite) {
    // Everything verified so far on disk, the journal emptied.
    if (auto ec = checkpoint(placeholder)) return std::unexpected(ec);
    // The same checkpoint under the real manifest: open_for_fetching then resumes from it as
    // from any checkpoint of that content.
    if (auto ec = write_resume_state(placeholder.state_path, placeholder.path, encoded_manifest,
                                     placeholder.have.to_bytes())) {
        return std::unexpected(ec);
    }
    // The placeholder is not written to again: its tree writer (a table of every entry, a
    // piece layout, per-entry counters) goes before the adopted one is opened, not after;
    // both at once were the peak of a cold fetch of a large tree (issue 11).
    placeholder.files.reset();
    placeholder.fetching = false;  // nothing of it to checkpoint any more
    return open_for_fetching(placeholder.path, std::move(encoded_manifest), overwrite);
}

}  // namespace xfer
