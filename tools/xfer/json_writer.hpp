// The --json output: one JSON object per line (NDJSON), written for scripts (docs/JSON.md lists
// every event and field). Writer only; xfer never parses JSON, so a library (nlohmann-json)
// would bring a dependency for a hundred lines of escaping.
//
// Every string goes through safe_text first, then JSON escaping, so for ANY bytes (a peer's
// name with quotes, backslashes, newlines, escape sequences or invalid UTF-8) the line is valid
// JSON and valid UTF-8, and the decoded value holds no control character: it is the text xfer
// shows on a terminal, which decodes back to the peer's exact bytes ("\\x1b" is byte 0x1b,
// "\\\\" is one backslash; see safe_text.hpp).
//
//   json_object event("done");
//   event.text("path", remote_path).number("bytes", 1024).boolean("whole_file", true);
//   emit(event);  // {"event":"done","path":"...","bytes":1024,"whole_file":true}\n
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xfer::cli {

// `value` made safe and escaped, in double quotes.
std::string json_string(std::string_view value);

class json_array;

class json_object {
  public:
    json_object() = default;
    // An event line: {"event":NAME, ...}
    explicit json_object(std::string_view event) { text("event", event); }

    json_object& text(std::string_view key, std::string_view value);
    json_object& number(std::string_view key, uint64_t value);
    json_object& signed_number(std::string_view key, int64_t value);
    // Finite values with up to 3 decimals; NaN and infinities as null.
    json_object& real(std::string_view key, double value);
    json_object& boolean(std::string_view key, bool value);
    json_object& null(std::string_view key);
    json_object& object(std::string_view key, const json_object& value);
    json_object& array(std::string_view key, const json_array& value);

    std::string str() const { return "{" + body_ + "}"; }

  private:
    void key(std::string_view name);
    std::string body_;
};

class json_array {
  public:
    json_array& text(std::string_view value);
    json_array& object(const json_object& value);
    std::string str() const { return "[" + body_ + "]"; }

  private:
    void comma();
    std::string body_;
};

// Writes the object and a newline to stdout and flushes, so a reader sees each event as it
// happens.
void emit(const json_object& line);

}  // namespace xfer::cli
