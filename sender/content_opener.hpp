// Opens contents for the sender off its network thread: the first open of a large file hashes
// it, which must not stall uploads to everyone else.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "shared/core/notifying_worker.hpp"
#include "shared/store/piece_store.hpp"

namespace xfer::sender {

struct open_job {
    uint64_t connection_id = 0;
    uint32_t handle = 0;
    std::string path;
    std::optional<content_id> wanted;
    bool want_owners = false;  // a tree's owners record too (OPEN's open_flag_owners)
};

struct open_result {
    open_job job;
    std::expected<std::shared_ptr<content_entry>, std::error_code> entry;
    std::vector<uint8_t> owners{};  // the owners record, when asked for and the content is a tree
};

// The owners record of a tree entry (empty for a file), read on the opener's thread: one lstat
// per entry. A tree whose manifest and owners would not fit one MANIFEST frame is too large.
std::expected<std::vector<uint8_t>, std::error_code> owners_record(const content_entry& entry);

// One thread: opens are rare and each may use every core to hash. With `may_stream`, a content
// asked for by path whose manifest is not cached comes back at once, to be hashed by the
// sender's manifest_streamer while it is served.
class content_opener : public notifying_worker<open_job, open_result> {
  public:
    content_opener(zmq::context_t& context, std::shared_ptr<piece_store> store,
                   bool may_stream = false)
        : notifying_worker(context, 1, [store, may_stream](open_job& job) {
              open_result result{job, store->open_for_serving(job.path, job.wanted, may_stream)};
              if (!job.want_owners || !result.entry) return result;
              auto owners = owners_record(**result.entry);
              if (!owners) result.entry = std::unexpected(owners.error());
              if (owners) result.owners = std::move(*owners);
              return result;
          }) {}
};

}  // namespace xfer::sender
