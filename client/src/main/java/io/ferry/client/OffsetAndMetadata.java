package io.ferry.client;

/** A committed offset: the next offset the group consumes from a partition, and the free text kept with it. */
public record OffsetAndMetadata(long offset, String metadata) {}
