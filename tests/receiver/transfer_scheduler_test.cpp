// The transfer scheduler driven by scripted event sequences (scheduler_script.hpp), the way
// libtorrent tests its picker from strings: each test is what a fetch sees, in order, and what
// the scheduler must decide at each step.
#include <gtest/gtest.h>

#include "tests/receiver/scheduler_script.hpp"

namespace xfer::receiver {
namespace {

using testing::run;

// 512 KiB in flight at least per source: two one-block pieces for a source not measured yet.
TEST(TransferScheduler, KeepsEachSourceBusyWithWhatItHas) {
    run(R"(
        pieces 4
        add A has 0-1
        add B has 2-3
        plan
        expect req A 0, req A 1, req B 2, req B 3
        check inflight A 2
        plan
        expect -
        recv A 0
        expect verify 0
        ok 0
        expect -
        check remaining 3
        plan                 # A has nothing more the fetch wants that nobody is on
        expect -
    )");
}

TEST(TransferScheduler, AFasterSourceIsAskedForMoreAndTheBufferBoundHolds) {
    run(R"(
        pieces 4 open 3
        add A has 0-2 rate 10M   # 2 MB in flight would be 8 pieces
        plan
        expect req A 0, req A 1, req A 2
        have A 3
        plan                 # only 3 buffers
        expect -
        check open 3
        recv A 1
        expect verify 1
        plan                 # piece 1 is verified, not yet written: still open
        expect -
        ok 1
        plan
        expect req A 3
    )");
}

TEST(TransferScheduler, APieceIsVerifiedOnlyWhenEveryBlockIsIn) {
    run(R"(
        pieces 2 blocks 3
        add A has 0 rate 10M
        plan
        expect req A 0
        recv A 0.0
        recv A 0.2
        expect -
        recv A 0.1
        expect verify 0
        ok 0
        check remaining 1
    )");
}

// A DECLINE holds the piece back from that source for a second; others may take it at once.
TEST(TransferScheduler, ADeclinedPieceGoesToAnotherSourceAndBackAfterTheHold) {
    run(R"(
        pieces 1
        add A has 0
        plan
        expect req A 0
        at 100
        decline A 0
        expect cancel A 0, closed 0
        plan                 # the hold: not A again yet
        expect -
        at 1099
        tick
        plan
        expect -
        at 1100
        tick
        plan
        expect req A 0
        add B has 0
        decline A 0
        expect cancel A 0, closed 0
        plan
        expect req B 0
    )");
}

// The scheduler is the one record of what is in flight: a PIECE not asked of that source, or not
// the block asked for, is read and dropped, and nothing outstanding changes.
TEST(TransferScheduler, ABlockNotAskedOfThatSourceIsDroppedAndChangesNothing) {
    run(R"(
        pieces 2 blocks 2
        add A has 0
        add B has 1
        plan
        expect req A 0, req B 1
        stray B 0.0          # asked of A, not of B
        stray A 1.1          # asked of B
        stray A 0.1 short    # asked of A, one byte short
        expect drop B 0.0, drop A 1.1, drop A 0.1
        check inflight A 1
        recv A 0
        expect verify 0
        stray A 0.0          # arrived already: no longer outstanding
        expect drop A 0.0
        remove B
        expect closed 1
        stray B 1.0          # cancelled with its source
        expect drop B 1.0
    )");
}

TEST(TransferScheduler, ADeclineOfAPieceNotAskedChangesNothing) {
    run(R"(
        pieces 2
        add A has 0-1 rate 0
        plan
        expect req A 0, req A 1
        recv A 0
        expect verify 0
        decline A 0          # its DECLINE crossed the data: nothing left to cancel
        decline A 7
        expect ignored A 0, ignored A 7
        check inflight A 1
    )");
}

TEST(TransferScheduler, ABadPieceIsFetchedAgainFromAnotherSource) {
    run(R"(
        pieces 1
        add A has 0
        plan
        expect req A 0
        add B has 0
        recv A 0
        expect verify 0
        bad 0
        expect closed 0
        plan                 # never again from the source that sent it bad
        expect req B 0
        recv B 0
        ok 0
        expect verify 0
        check done
    )");
}

TEST(TransferScheduler, ASourceWithThreeBadPiecesIsBanned) {
    run(R"(
        pieces 4
        add A has all rate 10M
        plan
        expect req A 0, req A 1, req A 2, req A 3
        recv A 0
        bad 0
        recv A 1
        bad 1
        expect verify 0, closed 0, verify 1, closed 1
        recv A 2
        bad 2
        expect verify 2, closed 2, ban A
        check banned A
        plan
        expect -
        remove A
        expect closed 3
        add B has all rate 10M
        plan
        expect req B 0, req B 1, req B 2, req B 3
        check wanted B yes
    )");
}

// A bad piece whose blocks came from two sources counts against both: neither gets it again.
TEST(TransferScheduler, ABadPieceOfTwoSourcesIsGivenToNeitherAgain) {
    run(R"(
        pieces 3 blocks 2 had 2
        add A has 0
        add B has 0-1
        plan
        expect req A 0, req B 1
        recv B 1
        ok 1
        plan
        expect verify 1, req B 0
        recv A 0.0
        recv B 0.1           # complete: A's copy of block 1 is not needed
        expect verify 0, cancel A 0
        check inflight A 0
        bad 0                # B's copy of block 0 is not needed either
        expect closed 0, cancel B 0
        check unavailable 1
        add C has 0
        plan
        expect req C 0
    )");
}

// Endgame: an idle source duplicates a piece a slow one is on; one copy of each block is kept,
// and the other copies are cancelled once the piece is complete.
TEST(TransferScheduler, EndgameDuplicatesTheLastPieceAndCancelsTheSlowerCopy) {
    run(R"(
        pieces 3 blocks 2 had 2
        add A has 0
        add B has 0-1
        plan
        expect req A 0, req B 1
        recv B 1
        ok 1
        expect verify 1
        plan                 # B is idle, A (not measured) holds the last piece
        expect req B 0
        start A 0.0          # A is writing block 0: B's copy of it is read and dropped
        recv B 0.0
        expect dup B 0.0
        recv A 0.0
        expect -
        recv A 0.1           # complete: B's copy of block 1 is not needed
        expect verify 0, cancel B 0
        check inflight B 0
        ok 0
        check done
    )");
}

TEST(TransferScheduler, EndgameIsNotForAPieceBeingVerified) {
    run(R"(
        pieces 3 had 2
        add A has 0
        add B has 0-1
        plan
        expect req A 0, req B 1
        recv A 0
        expect verify 0
        recv B 1
        expect verify 1
        ok 1
        plan                 # piece 0 is hashing: nothing to duplicate
        expect -
        check inflight B 0
    )");
}

// A source leaves mid-block: the pieces only it was on close and go back to the pool.
TEST(TransferScheduler, ASourceThatLeavesWithRequestsInFlightGivesItsPiecesBack) {
    run(R"(
        pieces 2 blocks 2
        add A has all rate 10M
        plan
        expect req A 0, req A 1
        start A 0.0
        recv A 1.0
        remove A
        expect closed 0, closed 1
        add B has all rate 10M
        plan
        expect req B 0, req B 1
        recv B 0
        recv B 1
        expect verify 0, verify 1
    )");
}

// With another source on the piece, it stays open and the block the leaver was writing is
// taken from the other copy.
TEST(TransferScheduler, ABlockTheLeaverWasWritingIsTakenFromTheDuplicate) {
    run(R"(
        pieces 3 blocks 2 had 2
        add A has 0
        add B has 0-1
        plan
        expect req A 0, req B 1
        recv B 1
        ok 1
        plan
        expect verify 1, req B 0
        start A 0.0
        remove A
        expect -
        recv B 0
        expect verify 0
    )");
}

// An endgame copy dropped while the leaver was mid-block leaves nobody fetching that block:
// the piece closes and is asked for again.
TEST(TransferScheduler, APieceNobodyFetchesAnyMoreIsAskedForAgain) {
    run(R"(
        pieces 3 blocks 2 had 2
        add A has 0
        add B has 0-1
        plan
        expect req A 0, req B 1
        recv B 1
        ok 1
        plan
        expect verify 1, req B 0
        start A 0.0
        recv B 0
        expect dup B 0.0
        remove A
        expect closed 0
        plan
        expect req B 0
        recv B 0
        expect verify 0
    )");
}

TEST(TransferScheduler, NothingIsAskedOfASourceThatHasNothingWanted) {
    run(R"(
        pieces 2 had 0
        add A has 0
        check wanted A no
        plan
        expect -
        have A 1
        check wanted A yes
        plan
        expect req A 1
    )");
}

}  // namespace
}  // namespace xfer::receiver
