// Which source a full frame memory gives up: the one holding most of it, only when one starved.
#include <gtest/gtest.h>

#include <vector>

#include "receiver/frame_memory.hpp"

namespace xfer::receiver {
namespace {

TEST(FrameMemory, NobodyGoesWhileNobodyStarved) {
    const std::vector<frame_holder> holders{{1, 40, false}, {2, 30, false}};
    EXPECT_FALSE(frame_memory_victim(holders));
    EXPECT_FALSE(frame_memory_victim({}));
}

TEST(FrameMemory, TheLargestHolderGoesWhenAnotherStarves) {
    const std::vector<frame_holder> holders{{1, 4, true}, {2, 60, false}, {3, 16, false}};
    EXPECT_EQ(frame_memory_victim(holders), 2u);
}

TEST(FrameMemory, TheStarvedSourceGoesWhenItHoldsMost) {
    const std::vector<frame_holder> holders{{1, 70, true}, {2, 10, false}};
    EXPECT_EQ(frame_memory_victim(holders), 1u);
    const std::vector<frame_holder> tie{{1, 10, false}, {2, 10, true}};
    EXPECT_EQ(frame_memory_victim(tie), 2u);
}

}  // namespace
}  // namespace xfer::receiver
