package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.OffsetAndMetadata;
import io.ferry.client.TopicPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupProcessingTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);

    /** Records {@code from..to-1} of partition 0, values {@code v<offset>}, processed at {@code atMillis}. */
    private static List<ProcessedRecord> processed(long from, long to, long atMillis) {
        List<ProcessedRecord> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(new ProcessedRecord(0, o, "v" + o, atMillis));
        }
        return out;
    }

    private static CommittedOffsetsWatch watchThatSaw(long... atMillisAndOffset) {
        CommittedOffsetsWatch watch = new CommittedOffsetsWatch(null, "g");
        for (int i = 0; i < atMillisAndOffset.length; i += 2) {
            watch.observed(Map.of(P0, new OffsetAndMetadata(atMillisAndOffset[i + 1], "")), atMillisAndOffset[i]);
        }
        return watch;
    }

    private static GroupProcessing processing(Map<String, List<ProcessedRecord>> byMember) {
        return new GroupProcessing("t", byMember);
    }

    @Test
    void aReplayedUncommittedWindowIsCountedAndAllowed() {
        // a committed 0..99, processed 100..149 and died before committing them; b took over at 100.
        List<ProcessedRecord> a = new ArrayList<>(processed(0, 100, 1_000));
        a.addAll(processed(100, 150, 1_200));
        Map<String, List<ProcessedRecord>> byMember = new LinkedHashMap<>();
        byMember.put("a", a);
        byMember.put("b", processed(100, 200, 5_000));
        CommittedOffsetsWatch watch = watchThatSaw(1_100, 100, 5_100, 200);

        GroupProcessing processing = processing(byMember);

        assertEquals(50, processing.duplicateCount());
        assertEquals(
                List.of(new GroupProcessing.DuplicateRange(
                        0,
                        100,
                        149,
                        List.of(
                                new GroupProcessing.Processing("a", 1_200),
                                new GroupProcessing.Processing("b", 5_000)))),
                processing.duplicates());
        assertEquals(List.of(), processing.processedBelowCommitted(watch));
        assertEquals(List.of(), processing.conflictingValues());
    }

    @Test
    void reprocessingRecordsTheGroupHadCommittedIsReported() {
        // a committed 0..149; b started again at 100, as after a coordinator that lost the last commit.
        Map<String, List<ProcessedRecord>> byMember = Map.of(
                "a", processed(0, 150, 1_000),
                "b", processed(100, 200, 5_000));
        CommittedOffsetsWatch watch = watchThatSaw(1_100, 150, 5_100, 200);

        List<String> problems = processing(byMember).processedBelowCommitted(watch);

        assertEquals(50, problems.size(), problems.toString());
        assertEquals(
                "t-0 offset 100 processed by b at 5000 although the group had committed 150 before then",
                problems.get(0));
    }

    @Test
    void onlyCommitsThatArrivedBeforeAProcessingCount() {
        // The answer with 150 came at 1_000, as b processed 100..149 at that same millisecond: not before it.
        Map<String, List<ProcessedRecord>> byMember = Map.of("b", processed(100, 150, 1_000));

        assertEquals(List.of(), processing(byMember).processedBelowCommitted(watchThatSaw(1_000, 150)));
        assertEquals(
                1,
                processing(Map.of("b", processed(100, 101, 1_001)))
                        .processedBelowCommitted(watchThatSaw(1_000, 150))
                        .size());
    }

    @Test
    void theUnionOfWhatMembersProcessedIsCheckedAgainstTheAcks() {
        Map<String, List<ProcessedRecord>> byMember = Map.of(
                "a", processed(0, 2, 1_000),
                "b", processed(3, 4, 1_000));
        AckLedger ledger = new AckLedger();
        for (long o = 0; o < 4; o++) {
            ledger.acknowledged(0, o, "v" + o);
        }

        List<String> problems =
                AckVerification.check(ledger, processing(byMember).contents(Map.of(P0, 4L)));

        assertEquals(1, problems.size(), problems.toString());
        assertEquals(true, problems.get(0).startsWith("lost: t-0 offset 2"), problems.get(0));
    }

    @Test
    void aRecordProcessedWithTwoValuesIsReported() {
        Map<String, List<ProcessedRecord>> byMember = new LinkedHashMap<>();
        byMember.put("a", List.of(new ProcessedRecord(0, 7, "x", 1_000)));
        byMember.put("b", List.of(new ProcessedRecord(0, 7, "y", 2_000)));

        assertEquals(
                List.of("t-0@7: processed as x and, by b, as y"),
                processing(byMember).conflictingValues());
    }

    @Test
    void theWatchReportsACommittedOffsetThatStepsBackOrIsGone() {
        CommittedOffsetsWatch watch = watchThatSaw(1_000, 100, 1_100, 120, 1_200, 90);
        watch.observed(Map.of(), 1_300);

        assertEquals(
                List.of(
                        "t-0: committed offset 90 at 1200 after 120 at 1100",
                        "t-0: committed offset gone at 1300 after 120 at 1100"),
                watch.stepsBack());
        assertEquals(0, watch.committedBefore(P0, 1_000));
        assertEquals(100, watch.committedBefore(P0, 1_001));
        assertEquals(120, watch.committedBefore(P0, 5_000));
    }
}
