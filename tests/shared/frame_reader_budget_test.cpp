// The frame reader holds a large body only as far as its bytes arrived, and within the byte
// budget its owner shares between connections: a header that claims 64 MiB costs what was sent,
// and a full budget stops the reader in place (starved) instead of growing past it.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "shared/net/byte_budget.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/wire/frame.hpp"
#include "tests/shared/frame_reader_fixture.hpp"

namespace xfer::net {
namespace {

using test::fake_stream;
using test::recorder;

constexpr size_t mib = 1024 * 1024;

// A MANIFEST frame header claiming `claimed` body bytes, then `sent` of them (byte i is i % 251).
std::vector<uint8_t> manifest_frame(uint32_t claimed, size_t sent) {
    std::vector<uint8_t> out;
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(claimed >> shift));
    out.push_back(static_cast<uint8_t>(wire::message_type::manifest));
    for (size_t i = 0; i < sent; ++i) out.push_back(static_cast<uint8_t>(i % 251));
    return out;
}

// Pumps until the reader takes no more input.
frame_reader::pump_result pump_all(frame_reader& reader, fake_stream& in, recorder& messages) {
    frame_reader::pump_result result;
    for (int i = 0; i < 1000; ++i) {
        const size_t before = in.input_position;
        result = reader.pump(in, messages.handler(), nullptr, SIZE_MAX);
        if (result.error || result.closed || result.starved || in.input_position == before) break;
    }
    return result;
}

TEST(FrameReaderBudget, AClaimedBodyCostsWhatWasSentNotWhatTheHeaderSays) {
    fake_stream in;
    in.input = manifest_frame(4 + wire::max_manifest_bytes, 100);
    byte_budget budget(128 * mib);
    frame_reader reader;
    reader.share_budget(&budget);
    recorder messages;
    const auto result = pump_all(reader, in, messages);
    EXPECT_FALSE(result.error);
    EXPECT_EQ(in.input_position, in.input.size());
    EXPECT_LE(reader.body_bytes_held(), 1 * mib);
    EXPECT_EQ(budget.in_use(), reader.body_bytes_held());
    EXPECT_TRUE(messages.messages.empty());
}

TEST(FrameReaderBudget, AFullBudgetStarvesTheReaderInPlaceAndRoomLetsItFinish) {
    constexpr uint32_t claimed = 6 * mib;
    fake_stream first, second;
    first.input = manifest_frame(claimed, claimed);
    second.input = manifest_frame(claimed, claimed);
    first.max_read_chunk = second.max_read_chunk = 256 * 1024;
    byte_budget budget(8 * mib);
    recorder first_messages, second_messages;
    auto hog = std::make_unique<frame_reader>();
    frame_reader reader;
    hog->share_budget(&budget);
    reader.share_budget(&budget);
    EXPECT_FALSE(pump_all(*hog, first, first_messages).starved);  // 6 MiB of 8: fits
    // The hog's body is complete: handed on and given back.
    ASSERT_EQ(first_messages.messages.size(), 1u);
    EXPECT_EQ(first_messages.messages[0].body.size(), claimed);
    EXPECT_EQ(budget.in_use(), 0u);

    // Now the hog holds 5 MiB of an unfinished frame; the other cannot get its 6 MiB.
    fake_stream stuck;
    stuck.input = manifest_frame(claimed, 5 * mib);
    stuck.max_read_chunk = 256 * 1024;
    EXPECT_FALSE(pump_all(*hog, stuck, first_messages).starved);
    EXPECT_GE(hog->body_bytes_held(), 5 * mib);
    const auto starved = pump_all(reader, second, second_messages);
    EXPECT_TRUE(starved.starved);
    EXPECT_TRUE(reader.starved());
    EXPECT_LE(budget.in_use(), budget.limit());
    EXPECT_LE(budget.peak(), budget.limit());
    EXPECT_LT(second.input_position, second.input.size());
    EXPECT_TRUE(second_messages.messages.empty());

    hog.reset();  // the owner drops the hog: its bytes come back
    EXPECT_EQ(budget.in_use(), reader.body_bytes_held());
    EXPECT_FALSE(pump_all(reader, second, second_messages).starved);
    ASSERT_EQ(second_messages.messages.size(), 1u);
    const auto& body = second_messages.messages[0].body;
    ASSERT_EQ(body.size(), claimed);
    bool intact = true;
    for (size_t i = 0; i < body.size(); ++i) intact &= body[i] == static_cast<uint8_t>(i % 251);
    EXPECT_TRUE(intact) << "a starved read lost or reordered bytes";
    EXPECT_EQ(budget.in_use(), 0u);
}

}  // namespace
}  // namespace xfer::net
