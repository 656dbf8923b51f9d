// When the transfer scheduler works a plan out again (scheduler_script.hpp): the fetch loop
// plans after every wake-up, so a plan is redone only when something it reads has changed, and
// after a HAVE only for the source that sent it.
#include <gtest/gtest.h>

#include "tests/receiver/scheduler_script.hpp"

namespace xfer::receiver {
namespace {

using testing::run;

// The loop plans after every wake-up, most of them a few bytes of a block: a plan that asked
// for nothing is not worked out again until an event, a rate or the sources change.
TEST(TransferScheduler, APlanIsWorkedOutAgainOnlyWhenSomethingChanged) {
    run(R"(
        pieces 4
        add A has 0-1
        add B has 2
        plan
        expect req A 0, req A 1, req B 2
        plan                 # the last plan asked for something: worked out again
        expect -
        check skipped 0
        plan                 # nothing changed since a plan that asked for nothing
        start A 0.0          # a block starting to arrive changes nothing a plan reads
        plan
        expect -
        check skipped 2
        have A 3             # an event: worked out again (A has its 512 KiB in flight)
        plan
        expect -
        check skipped 2
        plan
        check skipped 3
        rate A 10M           # a new rate among the offers: worked out again
        plan
        expect req A 3
        recv A 0             # a block in: worked out again
        expect verify 0
        plan
        plan
        check skipped 4
        remove B             # a source gone: worked out again
        expect closed 2
        plan
        expect -
        check skipped 4
    )");
}

// A HAVE gives only its sender more to do (for the others, a piece only grows less rare), so
// only that source is worked out again; unless it made the sender complete: a seeder it spared
// may be asked again.
TEST(TransferScheduler, AHaveWorksOutOnlyItsSenderUnlessItCompletesIt) {
    run(R"(
        pieces 3
        add S has all        # a seeder
        add A has 0
        plan
        expect req S 1, req S 2, req A 0
        plan
        check planned 4
        recv S 1
        expect verify 1
        ok 1
        plan
        expect -
        check planned 6      # a piece written: every source
        have A 1             # A is partial still (piece 2 missing)
        plan
        expect -
        check planned 7      # A alone
        have A 2             # now complete
        plan
        expect -
        check planned 9
    )");
}

}  // namespace
}  // namespace xfer::receiver
