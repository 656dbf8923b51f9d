// Reading --json output in tests through an independent parser (Python's json module, strict
// UTF-8): proves each line is one valid JSON object, and gives its fields back flattened as
// "KEY=VALUE" (strings as the hex of their UTF-8 bytes, so any text survives the trip).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xfer::test {

struct json_line {
    std::map<std::string, std::string> fields;       // top-level: numbers/bools as JSON text,
                                                     // strings as hex of their decoded UTF-8
    std::string event() const;                       // the "event" field, decoded
    std::string text(const std::string& key) const;  // a string field, decoded ("" if absent)
    std::optional<double> number(const std::string& key) const;
};

// Every line of `output` parsed; on any invalid line, an error message instead.
struct parsed_json_lines {
    std::vector<json_line> lines;
    std::string error;  // "" when every line parsed
};
parsed_json_lines parse_json_lines(const std::string& output);

std::string to_hex_bytes(const std::string& bytes);

}  // namespace xfer::test
