package io.ferry.client;

/** The first offset whose record timestamp is at or after the one asked for, and that record's timestamp. */
public record OffsetAndTimestamp(long offset, long timestamp) {}
