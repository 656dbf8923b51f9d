#include "shared/pairing/pairing_error.hpp"

#include <string>

namespace xfer::pairing {

namespace {

class category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "xfer.pairing"; }
    std::string message(int value) const override {
        switch (static_cast<pairing_errc>(value)) {
            case pairing_errc::ok:
                return "paired";
            case pairing_errc::no_code:
                return "the sender has no pairing code open";
            case pairing_errc::code_expired:
                return "the pairing code has expired; ask for a new one";
            case pairing_errc::too_many_attempts:
                return "the pairing code died after too many wrong tries; ask for a new one";
            case pairing_errc::code_used:
                return "the pairing code was already used; ask for a new one";
            case pairing_errc::wrong_code:
                return "the pairing code did not match (a wrong code, or someone is relaying "
                       "the connection)";
            case pairing_errc::malformed_message:
                return "the peer sent a malformed pairing message";
            case pairing_errc::out_of_order:
                return "the peer sent a pairing message out of order";
            case pairing_errc::bad_code_text:
                return "not a pairing code";
        }
        return "unknown pairing error " + std::to_string(value);
    }
};

}  // namespace

const std::error_category& pairing_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace xfer::pairing
