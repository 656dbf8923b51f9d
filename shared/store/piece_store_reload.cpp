// The serving side's second look at a partial file another process fetches into this directory:
// when a store event from it was lost, its bits are re-read from the resume state on disk.
#include "shared/manifest/manifest.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/store/resume_state.hpp"

namespace xfer {
void piece_store::reload_verified(const content_id& id) {
    const auto entry = find(id);
    if (!entry || entry->fetching || entry->complete) return;
    const uint32_t piece_count = entry->manifest.piece_count();
    const auto state_file = state_path_for(entry->path);
    auto journal_file = state_file;
    journal_file.replace_extension(".journal");
    // Journal before state: a checkpoint replaces the state and then clears the journal, so a
    // piece is in the journal read first or in the state read after it, never in neither.
    const auto journaled = piece_journal::read(journal_file, piece_count);
    if (const auto bytes = read_resume_state_file(state_file)) {
        const auto state = view_resume_state(*bytes);
        if (state && state->path == entry->path && content_id_of(state->encoded_manifest) == id) {
            piece_bitfield checkpointed(piece_count);
            checkpointed.set_from_bytes(state->bitfield);
            for (uint32_t piece = 0; piece < piece_count; ++piece) {
                if (checkpointed.test(piece)) entry->have.set(piece);
            }
        }
    }
    for (const uint32_t piece : journaled) entry->have.set(piece);
}

}  // namespace xfer
