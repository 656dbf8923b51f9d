#include "shared/discovery/tracker_protocol.hpp"

#include "shared/core/error.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::discovery::tracker {
namespace {

constexpr char magic[2] = {'X', 'T'};

std::string header(message_type type) {
    return {magic[0], magic[1], static_cast<char>(protocol_version), static_cast<char>(type)};
}

std::string id_frame(const peer_id& id) {
    return std::string(id.begin(), id.end());
}

template <typename Fill>
std::string body(Fill fill) {
    std::string out;
    byte_writer writer(out);
    fill(writer);
    return out;
}

std::unexpected<std::error_code> fail(errc code) {
    return std::unexpected(make_error_code(code));
}

constexpr size_t identity_bytes = sizeof(identity::peer_id{}.digest);

// A record as the tracker passes it on: the record, then who signed its registration.
std::string identified_record(const peer_record& record) {
    const auto& digest = record.identity.digest;
    return encode_record(record) + std::string(digest.begin(), digest.end());
}

std::expected<peer_record, std::error_code> read_identified_record(std::string_view frame) {
    if (frame.size() < identity_bytes) return fail(errc::frame_truncated);
    auto record = decode_record(frame.substr(0, frame.size() - identity_bytes));
    if (!record) return record;
    const auto digest = frame.substr(frame.size() - identity_bytes);
    std::copy(digest.begin(), digest.end(), record->identity.digest.begin());
    // The tracker lists only verified registrations: a record without a signer is malformed.
    if (record->identity == identity::peer_id{}) return fail(errc::malformed_message);
    return record;
}

// Frame 1 must be exactly a peer id.
std::expected<peer_id, std::error_code> read_id(const frame_list& frames) {
    if (frames.size() != 2) return fail(errc::malformed_message);
    if (frames[1].size() != 16) return fail(errc::frame_truncated);
    peer_id id{};
    std::copy(frames[1].begin(), frames[1].end(), id.begin());
    return id;
}

// Runs `read` over one frame, which must be consumed exactly.
template <typename Read>
std::expected<message, std::error_code> read_frame(std::string_view frame, Read read) {
    byte_reader in(frame);
    auto value = read(in);
    if (!in.ok()) return fail(errc::frame_truncated);
    if (!in.complete()) return fail(errc::malformed_message);
    return message{std::move(value)};
}

std::expected<message, std::error_code> decode_membership(message_type type,
                                                          const frame_list& frames) {
    if (frames.size() != 3) return fail(errc::malformed_message);
    byte_reader meta(frames[1]);
    membership_push push;
    push.kind = type;
    push.instance = meta.u64();
    push.seq = meta.u64();
    const uint8_t reason = meta.u8();
    if (!meta.complete()) return fail(errc::frame_truncated);
    if (reason > static_cast<uint8_t>(leave_reason::expired)) return fail(errc::malformed_message);
    push.reason = static_cast<leave_reason>(reason);
    auto record = read_identified_record(frames[2]);
    if (!record) return std::unexpected(record.error());
    push.record = std::move(*record);
    return push;
}

std::expected<message, std::error_code> decode_peer_list(const frame_list& frames) {
    if (frames.size() < 2) return fail(errc::malformed_message);
    byte_reader meta(frames[1]);
    peer_list_reply list;
    list.instance = meta.u64();
    list.seq = meta.u64();
    const uint16_t count = meta.u16();
    if (!meta.complete()) return fail(errc::frame_truncated);
    if (count > limits::max_peers || frames.size() != size_t{count} + 2)
        return fail(errc::malformed_message);
    list.peers.reserve(count);
    for (size_t i = 2; i < frames.size(); ++i) {
        auto record = read_identified_record(frames[i]);
        if (!record) return std::unexpected(record.error());
        list.peers.push_back(std::move(*record));
    }
    return list;
}

// One frame list per message type (docs/DISCOVERY.md, "Tracker protocol").
struct encoder {
    frame_list operator()(const register_request& m) {
        frame_list frames{header(message_type::register_peer), encode_record(m.record)};
        if (!m.signature.empty()) frames.push_back(m.signature);
        return frames;
    }
    frame_list operator()(const heartbeat_request& m) {
        return {header(message_type::heartbeat), id_frame(m.id)};
    }
    frame_list operator()(const leave_request& m) {
        return {header(message_type::leave), id_frame(m.id)};
    }
    frame_list operator()(const query_request&) { return {header(message_type::query)}; }
    frame_list operator()(const info_request&) { return {header(message_type::info_request)}; }
    frame_list operator()(const sync_request& m) {
        return {header(message_type::sync), body([&](byte_writer& w) { w.u64(m.token); })};
    }
    frame_list operator()(const welcome_reply& m) {
        return {header(message_type::welcome), body([&](byte_writer& w) {
                    w.u32(m.heartbeat_interval_ms);
                    w.u32(m.heartbeat_timeout_ms);
                    w.u16(m.pub_port);
                    w.u8(static_cast<uint8_t>(m.sender_host.size()));
                    w.bytes(m.sender_host);
                })};
    }
    frame_list operator()(const reject_reply& m) {
        const auto text = std::string_view(m.text).substr(0, limits::max_reject_text_bytes);
        return {header(message_type::reject), body([&](byte_writer& w) {
                    w.u8(static_cast<uint8_t>(m.reason));
                    w.u8(static_cast<uint8_t>(text.size()));
                    w.bytes(text);
                })};
    }
    frame_list operator()(const unknown_peer_reply& m) {
        return {header(message_type::unknown_peer), id_frame(m.id)};
    }
    frame_list operator()(const peer_list_reply& m) {
        frame_list frames{header(message_type::peer_list), body([&](byte_writer& w) {
                              w.u64(m.instance);
                              w.u64(m.seq);
                              w.u16(static_cast<uint16_t>(m.peers.size()));
                          })};
        for (const auto& record : m.peers) frames.push_back(identified_record(record));
        return frames;
    }
    frame_list operator()(const info_reply& m) {
        return {header(message_type::info), body([&](byte_writer& w) {
                    w.u64(m.instance);
                    w.u64(m.seq);
                    w.u16(m.pub_port);
                    w.u32(m.heartbeat_interval_ms);
                    w.u32(m.heartbeat_timeout_ms);
                })};
    }
    frame_list operator()(const membership_push& m) {
        return {header(m.kind), body([&](byte_writer& w) {
                    w.u64(m.instance);
                    w.u64(m.seq);
                    w.u8(static_cast<uint8_t>(m.reason));
                }),
                identified_record(m.record)};
    }
    frame_list operator()(const sync_echo_push& m) {
        return {header(message_type::sync_echo), body([&](byte_writer& w) {
                    w.u64(m.instance);
                    w.u64(m.seq);
                    w.u64(m.token);
                })};
    }
};

}  // namespace

register_request signed_registration(peer_record record, const lan::datagram_signer& signer) {
    auto signature = signer.signature_trailer(register_signature_domain, encode_record(record));
    record.identity = signer.id();
    return {std::move(record), std::move(signature)};
}

std::expected<identity::peer_id, std::error_code> registration_signer(
    const register_request& request) {
    if (request.signature.empty()) return fail(errc::malformed_message);
    // The record codec has one encoding per record, so re-encoding gives the signed bytes.
    return lan::verify_trailer(register_signature_domain, encode_record(request.record),
                               request.signature);
}

frame_list encode(const message& value) {
    return std::visit(encoder{}, value);
}

namespace {

std::expected<message, std::error_code> decode_register(const frame_list& frames) {
    // Two frames: unsigned, which the tracker answers with REJECT rather than silence.
    if (frames.size() != 2 && frames.size() != 3) return fail(errc::malformed_message);
    if (frames.size() == 3 && frames[2].size() != lan::signature_trailer_bytes)
        return fail(errc::malformed_message);
    auto record = decode_record(frames[1]);
    if (!record) return std::unexpected(record.error());
    return register_request{std::move(*record), frames.size() == 3 ? frames[2] : ""};
}

// HEARTBEAT, LEAVE and UNKNOWN_PEER: a peer ID and nothing else.
template <typename T>
std::expected<message, std::error_code> decode_id_message(const frame_list& frames) {
    auto id = read_id(frames);
    if (!id) return std::unexpected(id.error());
    return T{*id};
}

// A message of the header alone.
template <typename T>
std::expected<message, std::error_code> decode_bare(const frame_list& frames) {
    if (frames.size() != 1) return fail(errc::malformed_message);
    return T{};
}

// A message of the header and one body frame, read by `read`.
template <typename Read>
std::expected<message, std::error_code> decode_one_body(const frame_list& frames, Read read) {
    if (frames.size() != 2) return fail(errc::malformed_message);
    return read_frame(frames[1], read);
}

std::expected<message, std::error_code> decode_welcome(const frame_list& frames) {
    auto decoded = decode_one_body(frames, [](byte_reader& in) {
        welcome_reply m;
        m.heartbeat_interval_ms = in.u32();
        m.heartbeat_timeout_ms = in.u32();
        m.pub_port = in.u16();
        m.sender_host = std::string(in.text_view(in.u8()));
        return m;
    });
    if (decoded && !is_valid_host(std::get<welcome_reply>(*decoded).sender_host))
        return fail(errc::malformed_message);
    return decoded;
}

std::expected<message, std::error_code> decode_reject(const frame_list& frames) {
    auto decoded = decode_one_body(frames, [](byte_reader& in) {
        reject_reply m;
        m.reason = static_cast<reject_reason>(in.u8());
        m.text = std::string(in.text_view(in.u8()));
        return m;
    });
    if (!decoded) return decoded;
    const auto reason = static_cast<uint8_t>(std::get<reject_reply>(*decoded).reason);
    if (reason < 1 || reason > 4) return fail(errc::malformed_message);
    return decoded;
}

std::expected<message, std::error_code> decode_info(const frame_list& frames) {
    return decode_one_body(frames, [](byte_reader& in) {
        info_reply m;
        m.instance = in.u64();
        m.seq = in.u64();
        m.pub_port = in.u16();
        m.heartbeat_interval_ms = in.u32();
        m.heartbeat_timeout_ms = in.u32();
        return m;
    });
}

std::expected<message, std::error_code> decode_sync_echo(const frame_list& frames) {
    return decode_one_body(frames, [](byte_reader& in) {
        sync_echo_push m;
        m.instance = in.u64();
        m.seq = in.u64();
        m.token = in.u64();
        return m;
    });
}

// The header frame: magic, version and the type it names.
std::expected<message_type, std::error_code> read_header(const frame_list& frames) {
    if (frames.empty() || frames.size() > limits::max_frames_per_message)
        return fail(errc::malformed_message);
    for (const auto& frame : frames) {
        if (frame.size() > limits::max_frame_bytes) return fail(errc::frame_too_large);
    }
    const auto& head = frames[0];
    if (head.size() != 4 || head[0] != magic[0] || head[1] != magic[1])
        return fail(errc::bad_protocol);
    if (static_cast<uint8_t>(head[2]) != protocol_version) return fail(errc::version_mismatch);
    return static_cast<message_type>(static_cast<uint8_t>(head[3]));
}

}  // namespace

std::expected<message, std::error_code> decode(const frame_list& frames) {
    const auto type = read_header(frames);
    if (!type) return std::unexpected(type.error());
    switch (*type) {
        case message_type::register_peer:
            return decode_register(frames);
        case message_type::heartbeat:
            return decode_id_message<heartbeat_request>(frames);
        case message_type::leave:
            return decode_id_message<leave_request>(frames);
        case message_type::unknown_peer:
            return decode_id_message<unknown_peer_reply>(frames);
        case message_type::query:
            return decode_bare<query_request>(frames);
        case message_type::info_request:
            return decode_bare<info_request>(frames);
        case message_type::sync:
            return decode_one_body(frames, [](byte_reader& in) { return sync_request{in.u64()}; });
        case message_type::welcome:
            return decode_welcome(frames);
        case message_type::reject:
            return decode_reject(frames);
        case message_type::peer_list:
            return decode_peer_list(frames);
        case message_type::info:
            return decode_info(frames);
        case message_type::joined:
        case message_type::updated:
        case message_type::left:
            return decode_membership(*type, frames);
        case message_type::sync_echo:
            return decode_sync_echo(frames);
    }
    return fail(errc::unknown_message);
}

}  // namespace xfer::discovery::tracker
