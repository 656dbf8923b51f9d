// What the store tells discovery it holds (piece_store::held_contents).
#include <algorithm>

#include "shared/store/piece_store.hpp"

namespace xfer {

namespace {

piece_store::held_summary summary_of(const content_entry& entry) {
    return {entry.id, entry.path, entry.manifest.file_size, entry.have.count(),
            entry.manifest.piece_count()};
}

}  // namespace

// A merge of the three maps, all in content id order, stopping after `at_most`. For an id in
// more than one, the most current wins: an entry in use (by_id_, live) over a partial's
// indexed entry over a complete file's summary.
std::vector<piece_store::held_summary> piece_store::held_contents(size_t at_most) const {
    std::lock_guard lock(mutex_);
    std::vector<held_summary> out;
    auto complete = indexed_complete_.begin();
    auto partial = indexed_partials_.begin();
    auto in_use = by_id_.begin();
    auto skip_expired = [&] {
        while (in_use != by_id_.end() && in_use->second.expired()) ++in_use;
    };
    skip_expired();
    while (out.size() < at_most) {
        const content_id* next = nullptr;
        auto consider = [&](const content_id& id) {
            if (!next || id < *next) next = &id;
        };
        if (complete != indexed_complete_.end()) consider(complete->first);
        if (partial != indexed_partials_.end()) consider(partial->first);
        if (in_use != by_id_.end()) consider(in_use->first);
        if (!next) break;
        const content_id id = *next;
        std::shared_ptr<content_entry> live;
        if (in_use != by_id_.end() && in_use->first == id) live = (in_use++)->second.lock();
        if (live) {
            out.push_back(summary_of(*live));
        } else if (partial != indexed_partials_.end() && partial->first == id) {
            out.push_back(summary_of(*partial->second));
        } else if (complete != indexed_complete_.end() && complete->first == id) {
            out.push_back(complete->second);
        }  // else: in use a moment ago, gone before it could be locked: not held any more
        if (complete != indexed_complete_.end() && complete->first == id) ++complete;
        if (partial != indexed_partials_.end() && partial->first == id) ++partial;
        skip_expired();
    }
    return out;
}

}  // namespace xfer
