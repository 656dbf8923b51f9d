// End to end, real processes on loopback: peers that misbehave. A fake source speaking garbage,
// a client sending junk to `xfer serve`, a served file rewritten mid-transfer, a sender killed
// mid-transfer. Each must end cleanly: a clear failure or the complete original bytes, never a
// crash, a hang or a file that mixes versions.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;
constexpr uint8_t hello_type = 1;
constexpr uint8_t piece_type = 17;

std::vector<uint8_t> bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

struct garbage_script {
    const char* label;
    std::vector<uint8_t> bytes;
};
void PrintTo(const garbage_script& value, std::ostream* out) {
    *out << value.label;
}

std::vector<garbage_script> garbage_scripts() {
    return {
        {"RandomBytes", pseudo_random_bytes(64 * 1024, 99)},
        {"HttpResponse",
         bytes_of("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello")},
        {"FourGiBHello", frame_header(0xFFFFFFFFu, hello_type)},
        {"FourGiBPiece", frame_header(0xFFFFFFFFu, piece_type)},
        {"UnknownType", concat(frame_header(16, 0xEE), std::vector<uint8_t>(16, 0))},
    };
}

class TransferFakeSource : public ::testing::TestWithParam<garbage_script> {};

TEST_P(TransferFakeSource, FailsTheFetchCleanlyWithoutAHugeAllocation) {
    sandbox box;
    // Kept open and silent after its script: a fetch that waited for more would hang, not fail.
    scripted_peer peer(GetParam().bytes, /*hold_open=*/true);
    const auto out = box / "out";
    // A 1 GiB address-space cap: a fetch that believed a 4 GiB length would die of bad_alloc.
    const auto fetched =
        run_program({"prlimit", "--as=1073741824", "--", XFER_BINARY, "fetch", peer.address(),
                     "file.bin", "-o", out.string(), "--stall-timeout", "600"},
                    90s);

    ASSERT_TRUE(fetched.status) << "the fetch hung on a garbage peer\n" << fetched.describe();
    EXPECT_TRUE(failed_saying(fetched, {peer.address()}));
    EXPECT_TRUE(single_error_line(fetched));
    EXPECT_EQ(fetched.err.find("bad_alloc"), std::string::npos) << fetched.describe();
    EXPECT_FALSE(box.exists("out/file.bin"));
    EXPECT_FALSE(box.exists("out/file.bin.xfer-part"));
}

INSTANTIATE_TEST_SUITE_P(Scripts, TransferFakeSource, ::testing::ValuesIn(garbage_scripts()),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(TransferJunkClient, KeepsServingOtherFetchesAfterGarbageClients) {
    sandbox box;
    const auto source = write_random_file(box / "src/a.bin", 3 * mib + 5, 5);
    xfer_server server(box / "src");

    for (const auto& script : garbage_scripts()) {
        SCOPED_TRACE(script.label);
        const auto exchange = exchange_raw(server.port(), script.bytes, 30s);
        EXPECT_TRUE(exchange.connected);
        EXPECT_TRUE(exchange.closed_by_server) << "the server kept a garbage connection open";
    }
    // A client that says nothing and leaves, and one that leaves mid-header.
    (void)exchange_raw(server.port(), {}, 100ms);
    (void)exchange_raw(server.port(), {0, 0}, 100ms);
    ASSERT_TRUE(server.process().running()) << server.process().describe();

    const auto fetched =
        run_xfer({"fetch", server.address(), "a.bin", "-o", (box / "out").string()});
    ASSERT_EQ(fetched.status, 0) << fetched.describe();
    EXPECT_EQ(file_difference(source, box / "out/a.bin"), "");
    EXPECT_TRUE(server.process().running()) << server.process().describe();
}

// Overwrites every byte of `path` in place with other bytes of the same size.
void overwrite_in_place(const std::filesystem::path& path, uint64_t size) {
    const auto other = pseudo_random_bytes(size, 12345);
    std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
    file.write(reinterpret_cast<const char*>(other.data()),
               static_cast<std::streamsize>(other.size()));
    ASSERT_TRUE(file.good());
}

// Writes a new file and renames it over `path`: the served name now means other bytes.
void replace_by_rename(const std::filesystem::path& path, uint64_t size) {
    auto fresh = path;
    fresh += ".new";
    write_random_file(fresh, size, 12345);
    std::filesystem::rename(fresh, path);
}

struct change_case {
    const char* label;
    void (*change)(const std::filesystem::path&, uint64_t);
};
void PrintTo(const change_case& value, std::ostream* out) {
    *out << value.label;
}

class TransferSourceChanged : public ::testing::TestWithParam<change_case> {};

TEST_P(TransferSourceChanged, MidTransferGivesAFailureOrTheOriginalNeverAMix) {
    sandbox box;
    const uint64_t size = 32 * mib;
    const auto original = write_random_file(box / "original.bin", size, 21);
    std::filesystem::create_directories(box / "src");
    std::filesystem::copy_file(original, box / "src/c.bin");
    xfer_server server(box / "src");
    tcp_relay slow(server.port(), 8 * mib);
    const auto out = box / "out";

    child_process fetch(xfer_command({"fetch", slow.address(), "c.bin", "-o", out.string(), "-q"}));
    ASSERT_TRUE(eventually([&] { return recorded_pieces(out) >= 4 || !fetch.running(); }))
        << fetch.describe();
    ASSERT_TRUE(fetch.running()) << "finished before the change could happen\n" << fetch.describe();
    ASSERT_NO_FATAL_FAILURE(GetParam().change(box / "src/c.bin", size));
    slow.set_rate(0);
    const auto status = fetch.wait(command_timeout);
    ASSERT_TRUE(status) << "the fetch hung after the source changed\n" << fetch.describe();

    if (*status == 0) {
        EXPECT_EQ(file_difference(original, out / "c.bin"), "") << "the fetch mixed two versions";
    } else {
        command_result result{status, fetch.stdout_text(), fetch.stderr_text(), fetch.describe()};
        // The cause a user should read is that the file changed on the source; at least the
        // line must name the file and the source.
        EXPECT_TRUE(failed_saying(result, {"c.bin", slow.address()}));
        EXPECT_TRUE(single_error_line(result));
        EXPECT_FALSE(box.exists("out/c.bin")) << "a failed fetch left a final file";
    }
}

INSTANTIATE_TEST_SUITE_P(Changes, TransferSourceChanged,
                         ::testing::Values(change_case{"OverwrittenInPlace", overwrite_in_place},
                                           change_case{"ReplacedByRename", replace_by_rename}),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(TransferSenderKilled, MidTransferFailsKeepsThePartialAndARerunCompletes) {
    sandbox box;
    const uint64_t size = 32 * mib + 99;
    const auto source = write_random_file(box / "src/k.bin", size, 31);
    auto server = std::make_unique<xfer_server>(box / "src");
    tcp_relay slow(server->port(), 8 * mib);
    const auto out = box / "out";

    child_process fetch(xfer_command({"fetch", slow.address(), "k.bin", "-o", out.string(), "-q"}));
    ASSERT_TRUE(eventually([&] { return recorded_pieces(out) >= 4 || !fetch.running(); }))
        << fetch.describe();
    ASSERT_TRUE(fetch.running()) << "finished before the sender could be killed\n"
                                 << fetch.describe();
    server->kill_hard();
    const auto status = fetch.wait(command_timeout);
    ASSERT_TRUE(status) << "the fetch hung after its only source died\n" << fetch.describe();

    const command_result failed{status, fetch.stdout_text(), fetch.stderr_text(), fetch.describe()};
    EXPECT_TRUE(failed_saying(failed, {slow.address()}));
    EXPECT_TRUE(single_error_line(failed));
    EXPECT_FALSE(box.exists("out/k.bin"));
    EXPECT_TRUE(box.exists("out/k.bin.xfer-part"))
        << "the verified pieces should be kept for a rerun";
    const uint32_t kept = recorded_pieces(out);
    EXPECT_GE(kept, 4u);

    server = std::make_unique<xfer_server>(box / "src");
    const auto rerun = run_xfer({"fetch", server->address(), "k.bin", "-o", out.string()});
    ASSERT_EQ(rerun.status, 0) << rerun.describe();
    EXPECT_EQ(file_difference(source, out / "k.bin"), "");
    const auto downloaded = downloaded_bytes(rerun.out);
    ASSERT_TRUE(downloaded) << rerun.describe();
    EXPECT_LT(*downloaded, size) << "the rerun should resume, not start over";
}

}  // namespace
}  // namespace xfer::test
