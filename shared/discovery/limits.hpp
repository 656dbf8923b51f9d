// Every bound discovery enforces, in one place: the tracker, its clients and the LAN announcer
// check the same numbers, and docs/DISCOVERY.md lists them. A remote party that exceeds any of
// them gets its message dropped (or its registration rejected), never an allocation it chose.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace xfer::discovery::limits {

using namespace std::chrono_literals;

// --- one peer's record (tracker registration and LAN announcement alike) ---
inline constexpr size_t max_name_bytes = 64;    // display name, UTF-8, no control characters
inline constexpr size_t max_host_bytes = 255;   // sender host as registered (u8 length)
inline constexpr size_t max_path_bytes = 1024;  // one shared relative path (u16 length)
inline constexpr size_t max_contents_per_peer = 256;
inline constexpr size_t max_record_bytes = 64 * 1024;  // one encoded record, whatever it holds

// --- the tracker ---
inline constexpr size_t max_peers = 1024;           // registry size
inline constexpr size_t max_peers_per_source = 64;  // registrations from one IP address
inline constexpr size_t max_frames_per_message = max_peers + 2;   // a full PEER_LIST
inline constexpr size_t max_frame_bytes = max_record_bytes + 64;  // ZMQ_MAXMSGSIZE on every socket
inline constexpr size_t max_reject_text_bytes = 255;
inline constexpr size_t max_sync_echoes_per_second = 50;  // SYNC echoes reach every subscriber
inline constexpr int max_queued_replies = 100;            // ZMQ_SNDHWM of the ROUTER, per client

inline constexpr std::chrono::milliseconds default_heartbeat_interval = 1000ms;
inline constexpr std::chrono::milliseconds default_heartbeat_timeout = 5000ms;
// How often a peer looks at what it holds: a changed record is re-registered at once, so a
// newly hashed file reaches the tracker's subscribers within this (heartbeats stay as asked).
inline constexpr std::chrono::milliseconds content_check_interval = 250ms;
// What a client accepts from a WELCOME/INFO: a tracker cannot make it spin or go silent.
inline constexpr std::chrono::milliseconds min_heartbeat_interval = 100ms;
inline constexpr std::chrono::milliseconds max_heartbeat_interval = 60000ms;

// --- LAN announcements (UDP multicast, IPv4) ---
inline constexpr const char* lan_group = "239.255.74.20";  // administratively scoped (RFC 2365)
// IPv6: transient (flag 1), link-local scope (2), so routers never forward it (RFC 4291).
inline constexpr const char* lan_group6 = "ff12::7420";
inline constexpr uint16_t lan_port = 7422;
inline constexpr size_t max_datagram_bytes = 1472;  // 1500-byte Ethernet MTU minus IP and UDP
inline constexpr size_t max_pages = 32;             // datagrams per announcement
inline constexpr size_t max_lan_peers = 256;
// Keys are free, so one host can sign announcements for any number of peers: it gets this many
// places in a listener's table (and in its half-assembled announcements), no more.
inline constexpr size_t max_lan_peers_per_source = 8;
inline constexpr std::chrono::milliseconds lan_announce_interval = 1000ms;
inline constexpr std::chrono::milliseconds lan_timeout = 5000ms;  // silent this long: gone

}  // namespace xfer::discovery::limits
