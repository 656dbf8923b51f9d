#include "tests/support/json_lines.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

// Reads the file strictly as UTF-8 and as one JSON object per line (duplicate keys and
// NaN/Infinity refused too); prints "KEY=VALUE" lines per object and a "--" after each.
constexpr const char* parser = R"PY(
import json, sys
def no_constants(name):
    raise ValueError("non-standard constant " + name)
def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)
text = open(sys.argv[1], "rb").read().decode("utf-8")
for number, line in enumerate(text.split("\n")):
    if line == "" and number == len(text.split("\n")) - 1:
        break
    value = json.loads(line, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    if not isinstance(value, dict):
        raise ValueError("line %d is not an object" % number)
    for key, field in value.items():
        if isinstance(field, str):
            print(key + "=" + field.encode("utf-8").hex())
        else:
            print(key + "=" + json.dumps(field, separators=(",", ":")))
    print("--")
)PY";

std::string from_hex_bytes(const std::string& hex) {
    std::string bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return bytes;
}

}  // namespace

std::string to_hex_bytes(const std::string& bytes) {
    std::string hex;
    char pair[3];
    for (const char c : bytes) {
        std::snprintf(pair, sizeof pair, "%02x", static_cast<unsigned char>(c));
        hex += pair;
    }
    return hex;
}

std::string json_line::event() const {
    return text("event");
}

std::string json_line::text(const std::string& key) const {
    const auto it = fields.find(key);
    return it == fields.end() ? "" : from_hex_bytes(it->second);
}

std::optional<double> json_line::number(const std::string& key) const {
    const auto it = fields.find(key);
    if (it == fields.end()) return std::nullopt;
    try {
        return std::stod(it->second);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

parsed_json_lines parse_json_lines(const std::string& output) {
    sandbox box;
    const auto file = box.write("output.ndjson", output);
    const auto run = run_program({"python3", "-c", parser, file.string()});
    parsed_json_lines parsed;
    if (run.status != 0) {
        parsed.error = "not valid NDJSON: " + run.err + "\n--- output ---\n" + output;
        return parsed;
    }
    std::istringstream in(run.out);
    json_line current;
    for (std::string line; std::getline(in, line);) {
        if (line == "--") {
            parsed.lines.push_back(std::move(current));
            current = {};
            continue;
        }
        const auto equals = line.find('=');
        current.fields[line.substr(0, equals)] = line.substr(equals + 1);
    }
    return parsed;
}

}  // namespace xfer::test
