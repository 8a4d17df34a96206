package io.ferry.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.storage.TopicPartition;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyStageTest {

    private static final TopicPartition TP = new TopicPartition("t", 2);

    @Test
    void marksAreOffUnlessARecordingTakesThem() {
        assertFalse(LatencyStage.enabled());
        try (Recording recording = new Recording()) {
            recording.enable("io.ferry.LatencyStage");
            recording.start();
            assertTrue(LatencyStage.enabled());
        }
    }

    @Test
    void aMarkCarriesItsStageOffsetReplicaAndTheMonotonicTimeGiven(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("marks.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.ferry.LatencyStage");
            recording.start();
            LatencyStage.FOLLOWER_ANSWERED.mark(TP, 41, 3, 12_345L);
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertEquals(1, events.size());
        RecordedEvent mark = events.get(0);
        assertEquals("FOLLOWER_ANSWERED", mark.getString("stage"));
        assertEquals("t", mark.getString("topic"));
        assertEquals(2, mark.getInt("partition"));
        assertEquals(41, mark.getLong("offset"));
        assertEquals(3, mark.getInt("replica"));
        assertEquals(12_345L, mark.getLong("nanos"));
    }
}
