#include "shared/session/message_handler.hpp"

namespace xfer::session {

std::error_code dispatch(message_handler& handler, wire::message& message) {
    struct call {
        message_handler& handler;
        std::error_code operator()(const wire::hello&) { return handler.unexpected_hello(); }
        std::error_code operator()(const wire::keepalive&) { return {}; }
        std::error_code operator()(const wire::error_msg& m) { return handler.on_error(m); }
        std::error_code operator()(const wire::bye&) { return handler.on_bye(); }
        std::error_code operator()(const wire::list_request& m) { return handler.on_list(m); }
        std::error_code operator()(wire::listing& m) { return handler.on_listing(m); }
        std::error_code operator()(const wire::open_request& m) { return handler.on_open(m); }
        std::error_code operator()(const wire::manifest_msg& m) { return handler.on_manifest(m); }
        std::error_code operator()(const wire::manifest_head_msg& m) {
            return handler.on_manifest_head(m);
        }
        std::error_code operator()(const wire::manifest_hashes_msg& m) {
            return handler.on_manifest_hashes(m);
        }
        std::error_code operator()(const wire::bitfield_msg& m) { return handler.on_bitfield(m); }
        std::error_code operator()(const wire::have& m) { return handler.on_have(m); }
        std::error_code operator()(const wire::request& m) { return handler.on_request(m); }
        std::error_code operator()(const wire::cancel& m) { return handler.on_cancel(m); }
        std::error_code operator()(const wire::close_msg& m) { return handler.on_close(m); }
        std::error_code operator()(const wire::peers_msg& m) { return handler.on_peers(m); }
        std::error_code operator()(const wire::decline_msg& m) { return handler.on_decline(m); }
    };
    return std::visit(call{handler}, message);
}

std::error_code dispatch(message_handler& handler, const wire::pairing_message& message) {
    struct call {
        message_handler& handler;
        std::error_code operator()(const wire::pair_init& m) { return handler.on_pair_init(m); }
        std::error_code operator()(const wire::pair_reply& m) { return handler.on_pair_reply(m); }
        std::error_code operator()(const wire::pair_confirm& m) {
            return handler.on_pair_confirm(m);
        }
    };
    return std::visit(call{handler}, message);
}

}  // namespace xfer::session
