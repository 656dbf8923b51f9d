// Records, one after the other in bytes_ (all integers LEB128 varints):
//   u8 kind | shared | suffix_length | suffix | mode | zigzag(mtime_ns - previous mtime_ns)
//   | size | target_length | target
// where `shared` is the length of the prefix taken from the previous entry's path; at a restart
// (every restart_interval-th entry) shared is 0 and the previous mtime counts as 0. Unlike the
// wire encoding (tree_codec.cpp) every field is kept for every kind, and nothing is checked: the
// table holds what it was given and only ever decodes its own records.
#include "shared/tree/entry_table.hpp"

#include <algorithm>
#include <string_view>

namespace xfer::tree {
namespace {

void put_varint(std::vector<uint8_t>& out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<uint8_t>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<uint8_t>(value));
}

uint64_t get_varint(const uint8_t* data, size_t& offset) {
    uint64_t value = 0;
    for (int shift = 0;; shift += 7) {
        const uint8_t byte = data[offset++];
        value |= uint64_t{byte & 0x7fu} << shift;
        if ((byte & 0x80) == 0) return value;
    }
}

void put_text(std::vector<uint8_t>& out, std::string_view text) {
    put_varint(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
}

size_t common_prefix(std::string_view a, std::string_view b) {
    const auto limit = std::min(a.size(), b.size());
    return static_cast<size_t>(std::mismatch(a.begin(), a.begin() + limit, b.begin()).first -
                               a.begin());
}

}  // namespace

entry_table::entry_table(std::initializer_list<entry> entries) {
    reserve(entries.size());
    for (const auto& e : entries) push_back(e);
}

entry_table::entry_table(const std::vector<entry>& entries) {
    reserve(entries.size());
    for (const auto& e : entries) push_back(e);
}

void entry_table::push_back(const entry& e) {
    const bool restart = count_ % restart_interval == 0;
    if (restart) {
        restarts_.push_back(bytes_.size());
        last_path_.clear();
        last_mtime_ns_ = 0;
    }
    const size_t shared = common_prefix(last_path_, e.path);
    bytes_.push_back(static_cast<uint8_t>(e.kind));
    put_varint(bytes_, shared);
    put_text(bytes_, std::string_view(e.path).substr(shared));
    put_varint(bytes_, e.mode);
    const uint64_t delta =
        static_cast<uint64_t>(e.mtime_ns) - static_cast<uint64_t>(last_mtime_ns_);
    put_varint(bytes_, (delta << 1) ^ (0 - (delta >> 63)));  // zigzag: small either way
    put_varint(bytes_, e.size);
    put_text(bytes_, e.link_target);
    last_path_ = e.path;
    last_mtime_ns_ = e.mtime_ns;
    ++count_;
}

size_t entry_table::decode(size_t offset, entry& e) const {
    const uint8_t* data = bytes_.data();
    e.kind = static_cast<entry_kind>(data[offset++]);
    const auto shared = static_cast<size_t>(get_varint(data, offset));
    const auto suffix = static_cast<size_t>(get_varint(data, offset));
    e.path.resize(shared);
    e.path.append(reinterpret_cast<const char*>(data + offset), suffix);
    offset += suffix;
    e.mode = static_cast<uint32_t>(get_varint(data, offset));
    const uint64_t zigzagged = get_varint(data, offset);
    const uint64_t delta = (zigzagged >> 1) ^ (0 - (zigzagged & 1));
    e.mtime_ns = static_cast<int64_t>(static_cast<uint64_t>(e.mtime_ns) + delta);
    e.size = get_varint(data, offset);
    const auto target = static_cast<size_t>(get_varint(data, offset));
    e.link_target.assign(reinterpret_cast<const char*>(data + offset), target);
    return offset + target;
}

const entry entry_table::operator[](size_t index) const {
    const size_t first = index - index % restart_interval;
    size_t offset = restarts_[first / restart_interval];
    entry e;
    for (size_t i = first; i <= index; ++i) offset = decode(offset, e);
    return e;
}

std::vector<entry> entry_table::to_vector() const {
    std::vector<entry> out;
    out.reserve(count_);
    for (const auto& e : *this) out.push_back(e);
    return out;
}

void entry_table::clear() {
    std::vector<uint8_t>().swap(bytes_);
    std::vector<size_t>().swap(restarts_);
    std::string().swap(last_path_);  // a moved-into string may keep its buffer; a swap does not
    count_ = 0;
    last_mtime_ns_ = 0;
}

void entry_table::reserve(size_t entries, size_t bytes_each) {
    bytes_.reserve(bytes_.size() + entries * bytes_each);
    restarts_.reserve(restarts_.size() + entries / restart_interval + 1);
}

void entry_table::shrink_to_fit() {
    bytes_.shrink_to_fit();
    restarts_.shrink_to_fit();
}

size_t entry_table::heap_bytes() const {
    // A short last path lives inside the string itself, not on the heap.
    const size_t inline_capacity = std::string().capacity();
    const size_t last_path = last_path_.capacity() > inline_capacity ? last_path_.capacity() : 0;
    return bytes_.capacity() + restarts_.capacity() * sizeof(size_t) + last_path;
}

entry_table::iterator::iterator(const entry_table* table, size_t index)
    : table_(table), index_(index) {
    if (index_ >= table_->count_) return;
    const size_t first = index_ - index_ % restart_interval;
    offset_ = table_->restarts_[first / restart_interval];
    for (size_t i = first; i <= index_; ++i) offset_ = table_->decode(offset_, current_);
}

entry_table::iterator& entry_table::iterator::operator++() {
    if (++index_ >= table_->count_) return *this;
    if (index_ % restart_interval == 0) current_.mtime_ns = 0;  // shared is 0 there too
    offset_ = table_->decode(offset_, current_);
    return *this;
}

}  // namespace xfer::tree
