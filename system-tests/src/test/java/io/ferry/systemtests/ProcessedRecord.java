package io.ferry.systemtests;

/**
 * One record a {@link RecordingGroupMember} processed, as one line of its file:
 * {@code partition offset value processedAtMillis}. The time is the member's wall clock
 * ({@link System#currentTimeMillis}) when it wrote the poll's records, before it committed them; the test's
 * JVM on the same machine reads the same clock.
 *
 * @param value the record's value, which the producer made unique (no spaces)
 */
record ProcessedRecord(int partition, long offset, String value, long processedAtMillis) {

    String line() {
        return partition + " " + offset + " " + value + " " + processedAtMillis;
    }

    /** The record of a complete {@link #line}. */
    static ProcessedRecord parse(String line) {
        String[] fields = line.split(" ");
        if (fields.length != 4) {
            throw new IllegalArgumentException("not a processed-record line: '" + line + "'");
        }
        return new ProcessedRecord(
                Integer.parseInt(fields[0]), Long.parseLong(fields[1]), fields[2], Long.parseLong(fields[3]));
    }
}
