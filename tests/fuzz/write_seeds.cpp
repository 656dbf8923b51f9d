// Writes the seed corpora of the fuzz targets into DIR/NAME/: one valid encoding of every message
// and record, made with xfer's own encoders, so fuzzing starts from inputs that reach deep into
// each decoder. Run by hand after a format change: build-fuzz/tests/fuzz/write_seeds
// tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "shared/bus/events.hpp"
#include "shared/bus/sequence.hpp"
#include "shared/discovery/lan_protocol.hpp"
#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/tracker_protocol.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/manifest/manifest_stream.hpp"
#include "shared/store/resume_state.hpp"
#include "shared/transfer_log/transfer_record.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "shared/trust/known_peers_file.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/messages.hpp"
#include "shared/wire/pairing_messages.hpp"

namespace {

using namespace xfer;
std::filesystem::path root;

void write(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
    std::filesystem::create_directories(root / target);
    std::ofstream(root / target / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}
void write(const std::string& target, const std::string& name, const std::string& bytes) {
    write(target, name, std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

manifest sample_manifest(uint64_t file_size) {
    manifest m;
    m.file_size = file_size;
    m.piece_size = min_piece_size;
    m.piece_hashes.resize(piece_count_for(file_size, m.piece_size));
    for (size_t piece = 0; piece < m.piece_hashes.size(); ++piece)
        m.piece_hashes[piece][0] = static_cast<uint8_t>(piece);
    return m;
}

discovery::peer_record sample_record() {
    discovery::peer_record record;
    record.id[0] = 7;
    record.name = "alpha";
    record.sender = {"127.0.0.1", 7420};
    record.contents.push_back({content_id{}, "isos/a.iso", 1000, 1, 4});
    return record;
}

void wire_seeds() {
    wire::listing listing;
    listing.entries.push_back({wire::listing_entry::kind_t::file, 5, 1, 2, "n"});
    listing.entries.push_back({wire::listing_entry::kind_t::directory, 0, 0, 0, "d"});
    wire::request request;
    request.length = 16384;
    const std::vector<wire::message> messages{
        wire::hello{wire::protocol_version, {}, 0, 7420, "h", "rack1"},
        wire::error_msg{1, 2, "x"},
        wire::keepalive{},
        wire::bye{},
        wire::list_request{"a/b"},
        listing,
        wire::open_request{1, {}, "p"},
        wire::manifest_msg{1, encode_manifest(sample_manifest(1000))},
        wire::bitfield_msg{1, 10, {0xff, 0xc0}},
        wire::have{1, 2},
        request,
        wire::cancel{},
        wire::close_msg{1},
        wire::peers_msg{1, {{7420, "10.0.0.2"}, {7421, "h"}}},
        wire::decline_msg{1, 3},
        wire::manifest_head_msg{1, 1,
                                manifest_prefix(encode_manifest(sample_manifest(1000000)), 1)},
        wire::manifest_hashes_msg{1, 1, {sha256_digest{}, sha256_digest{}}}};
    std::vector<uint8_t> stream{0x05};  // frame_stream: byte 0 sets chunking, then frames
    for (size_t i = 0; i < messages.size(); ++i) {
        std::vector<uint8_t> frame;
        wire::encode(messages[i], frame);
        std::vector<uint8_t> seed{frame[4]};  // wire_message: the type byte, then the body
        seed.insert(seed.end(), frame.begin() + wire::frame_header_size, frame.end());
        write("wire_message", "message-" + std::to_string(frame[4]), seed);
        stream.insert(stream.end(), frame.begin(), frame.end());
    }
    std::vector<uint8_t> piece;
    wire::encode_piece_header({1, 0, 0}, 4, piece);
    piece.insert(piece.end(), {1, 2, 3, 4});
    stream.insert(stream.end(), piece.begin(), piece.end());
    write("frame_stream", "all-messages", stream);
}

void store_seeds() {
    write("manifest", "small", encode_manifest(sample_manifest(1000)));
    write("manifest", "three-pieces", encode_manifest(sample_manifest(2 * min_piece_size + 5)));
    write("manifest", "empty-file", encode_manifest(sample_manifest(0)));
    resume_state state{
        "dir/a.bin", encode_manifest(sample_manifest(2 * min_piece_size + 5)), {0xa0}};
    write("resume_state", "state", encode_resume_state(state));
    write("resume_state", "journal", std::vector<uint8_t>{0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2});
}

tree::tree_manifest sample_tree(std::vector<tree::entry> entries) {
    tree::tree_manifest m;
    m.piece_size = min_piece_size;
    m.entries = std::move(entries);
    m.piece_hashes.resize(m.piece_count());
    for (size_t piece = 0; piece < m.piece_hashes.size(); ++piece)
        m.piece_hashes[piece][0] = static_cast<uint8_t>(piece);
    return m;
}

void tree_seeds() {
    using tree::entry_kind;
    constexpr int64_t mtime = 1'700'000'000'123'456'789;
    const tree::entry d{"d", entry_kind::directory, 0755, mtime, 0, {}};
    const tree::entry f{"d/a", entry_kind::file, 0644, mtime + 5, 1000, {}};
    const tree::entry big{"d/big", entry_kind::file, 0600, mtime - 7, 3 * min_piece_size + 1, {}};
    const tree::entry empty{"d/empty", entry_kind::file, 0644, mtime, 0, {}};
    const tree::entry l{"d/l", entry_kind::symlink, 0, mtime, 0, "../e/x"};
    const tree::entry e{"e", entry_kind::directory, 01777, mtime, 0, {}};
    const tree::entry x{"e/x", entry_kind::file, 0755, mtime, 12, {}};
    write("tree_manifest", "empty-tree", tree::encode_tree_manifest(sample_tree({})));
    write("tree_manifest", "small", tree::encode_tree_manifest(sample_tree({d, f, l})));
    write("tree_manifest", "spanning",
          tree::encode_tree_manifest(sample_tree({d, f, big, empty, l, e, x})));
}

// manifest_stream: u32 known | u32 prefix_length | prefix | runs of (u32 first | u8 count | hashes)
void manifest_stream_seed(const std::string& name, const std::vector<uint8_t>& encoded,
                          uint32_t pieces, uint32_t known) {
    const auto prefix = manifest_prefix(encoded, known);
    std::vector<uint8_t> seed;
    wire::byte_writer w(seed);
    w.u32(known);
    w.u32(static_cast<uint32_t>(prefix.size()));
    w.bytes(prefix);
    w.u32(known);
    w.u8(static_cast<uint8_t>(pieces - known));
    w.bytes(std::span<const uint8_t>(encoded).subspan(encoded.size() - (pieces - known) * 32));
    write("manifest_stream", name, seed);
}

void manifest_stream_seeds() {
    manifest_stream_seed("file", encode_manifest(sample_manifest(4 * min_piece_size + 5)), 5, 2);
    const tree::entry d{"d", tree::entry_kind::directory, 0755, 1, 0, {}};
    const tree::entry f{"d/a", tree::entry_kind::file, 0644, 2, 2 * min_piece_size + 1, {}};
    manifest_stream_seed("tree", tree::encode_tree_manifest(sample_tree({d, f})), 3, 0);
}

void discovery_seeds() {
    auto record = sample_record();
    record.identity.digest.fill(0x42);  // pushed and listed tracker records name their signer
    write("discovery", "record", "\x01" + discovery::encode_record(record));
    for (const auto& datagram : discovery::lan::encode_announcement(record, 1).datagrams)
        write("discovery", "announce", std::string(1, '\0') + datagram);
    write("discovery", "goodbye", std::string(1, '\0') + discovery::lan::encode_goodbye(record.id));
    const std::vector<discovery::tracker::message> messages{
        discovery::tracker::register_request{record, {}},
        discovery::tracker::heartbeat_request{record.id},
        discovery::tracker::query_request{},
        discovery::tracker::welcome_reply{1000, 3000, 7422, "127.0.0.1"},
        discovery::tracker::peer_list_reply{1, 2, {record}},
        discovery::tracker::membership_push{discovery::tracker::message_type::joined, 1, 3,
                                            discovery::tracker::leave_reason::none, record}};
    for (size_t i = 0; i < messages.size(); ++i) {
        std::string seed = "\x02";
        for (const auto& frame : discovery::tracker::encode(messages[i])) {
            if (frame.size() > 255) continue;
            seed += static_cast<char>(frame.size());
            seed += frame;
        }
        write("discovery", "tracker-" + std::to_string(i), seed);
    }
}

// Byte 0 picks the type as pairing_fuzz.cpp reads it (40 + byte % 3), then the frame body.
void pairing_seeds() {
    const auto seed = [](uint8_t selector, const auto& message) {
        std::vector<uint8_t> frame;
        wire::encode(message, frame);
        frame[wire::frame_header_size - 1] = selector;
        return std::vector<uint8_t>(frame.begin() + wire::frame_header_size - 1, frame.end());
    };
    wire::pairing_point point{};
    point[0] = 0xe2;  // any bytes: the decoder does not check the point, the state machine does
    wire::pairing_tag tag{};
    tag[63] = 1;
    write("pairing", "init", seed(0, wire::pair_init{point, "laptop"}));
    write("pairing", "reply", seed(1, wire::pair_reply{0, point, "desktop", tag}));
    write("pairing", "refusal", seed(1, wire::pair_reply{2, {}, {}, {}}));
    write("pairing", "confirm", seed(2, wire::pair_confirm{tag}));
}

// Byte 0 picks the decoder (bus_events_fuzz.cpp): even an event, odd a stamp.
void bus_seeds() {
    const auto frame = [](uint8_t pick, const zmq::message_t& message) {
        std::vector<uint8_t> bytes{pick};
        const auto* data = static_cast<const uint8_t*>(message.data());
        bytes.insert(bytes.end(), data, data + message.size());
        return bytes;
    };
    bus::event verified{bus::event_type::piece_verified, content_id{}, 7, {}};
    verified.content[0] = 9;
    write("bus_events", "piece_verified", frame(0, bus::encode(verified)));
    write("bus_events", "file_completed",
          frame(0, bus::encode({bus::event_type::file_completed, content_id{}, 0, "a/b.bin"})));
    write(
        "bus_events", "peer_learned",
        frame(0, bus::encode({bus::event_type::peer_learned, content_id{}, 0, "127.0.0.1:7420"})));
    write("bus_events", "stamp", frame(1, bus::encode(bus::stamp{3, 41})));
}

void transfer_log_seeds() {
    transfer_log::transfer_record record;
    record.ended_at =
        transfer_log::wall_clock::time_point(std::chrono::milliseconds(1764590000000));
    record.way = transfer_log::direction::received;
    record.peer_id = "XFER-ABCD";
    record.peer_name = "alpha\x1b]0;title";
    record.address = "127.0.0.1:7420";
    record.path = "dir/a\tb.bin";
    record.bytes = 1234;
    record.duration = std::chrono::milliseconds(56);
    record.result = transfer_log::outcome::failed;
    record.detail = "source 127.0.0.1:7420 stalled";
    const std::string failed = transfer_log::encode_line(record);
    record.result = transfer_log::outcome::done;
    record.detail.clear();
    record.way = transfer_log::direction::sent;
    write("transfer_log", "two_lines", failed + "\n" + transfer_log::encode_line(record) + "\n");
    write("transfer_log", "torn", failed.substr(0, failed.size() / 2));
}

void known_peers_seeds() {
    trust::known_peers table;
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(
        std::chrono::system_clock::time_point(std::chrono::seconds(1764590000)));
    trust::peer_id first{};
    first.digest[0] = 1;
    trust::peer_id second{};
    second.digest[0] = 2;
    (void)table.add(first, "laptop", trust::trust_level::paired, now);
    table.seen_at(first, "127.0.0.1:7420", now);
    (void)table.add(second, "mirror", trust::trust_level::seen, now);
    table.seen_at(second, "[::1]:7421", now);
    write("known_peers", "two_peers", trust::format_known_peers(table, {"a corrupt line"}));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: write_seeds DIR\n");
        return 2;
    }
    root = argv[1];
    wire_seeds();
    store_seeds();
    discovery_seeds();
    pairing_seeds();
    tree_seeds();
    manifest_stream_seeds();
    bus_seeds();
    transfer_log_seeds();
    known_peers_seeds();
    return 0;
}
