#include "sender/content_opener.hpp"

#include "shared/core/error.hpp"
#include "shared/store/tree_reader.hpp"
#include "shared/tree/tree_owners.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::sender {

std::expected<std::vector<uint8_t>, std::error_code> owners_record(const content_entry& entry) {
    // A single file has no owners record: the receiver says --owners keeps those of trees.
    const auto* reader = dynamic_cast<const tree_reader*>(entry.files.get());
    if (reader == nullptr) return std::vector<uint8_t>{};
    auto runs = reader->owners();
    if (!runs) return std::unexpected(runs.error());
    auto record = tree::encode_owners(*runs);
    const size_t manifest_bytes =
        entry.streaming ? entry.streaming->encoding_size() : entry.encoded_manifest.size();
    if (record.size() + manifest_bytes > wire::max_manifest_bytes)
        return std::unexpected(make_error_code(errc::tree_too_large));
    return record;
}

}  // namespace xfer::sender
