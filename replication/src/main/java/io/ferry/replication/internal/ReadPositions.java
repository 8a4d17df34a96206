package io.ferry.replication.internal;

import java.util.Arrays;

/**
 * Where the partitions of a waiting fetch stood: for each, the replica and role objects and the log offsets a
 * read of it depends on. Equal positions read the same, so a waiting fetch compares these before it reads its
 * partitions again. On a leader of many partitions most wake-ups change none of a fetch's partitions (an
 * append to another one, a high watermark a follower does not wait for), and reading every partition of a
 * follower's fetch on each of them was most of what a busy coordinator allocated.
 *
 * <p>Immutable once built.
 */
public final class ReadPositions {

    /** Compared by identity: a replaced replica or role (a new leadership, offline) is a change. */
    private final Object[] holders;

    private final long[] offsets;

    private ReadPositions(Object[] holders, long[] offsets) {
        this.holders = holders;
        this.offsets = offsets;
    }

    /** Collects the positions of {@code partitions} partitions, {@code offsetsEach} offsets each. */
    public static Builder builder(int partitions, int offsetsEach) {
        return new Builder(partitions, offsetsEach);
    }

    /** Whether a read now would see what a read at {@code other} saw. */
    public boolean sameAs(ReadPositions other) {
        if (other == null || other.holders.length != holders.length) {
            return false;
        }
        for (int i = 0; i < holders.length; i++) {
            if (holders[i] != other.holders[i]) {
                return false;
            }
        }
        return Arrays.equals(offsets, other.offsets);
    }

    /** Fills a {@link ReadPositions} in request order. Not thread-safe; used by one thread. */
    public static final class Builder {
        private final Object[] holders;
        private final long[] offsets;
        private int nextHolder;
        private int nextOffset;

        private Builder(int partitions, int offsetsEach) {
            this.holders = new Object[partitions * 2];
            this.offsets = new long[partitions * offsetsEach];
        }

        /** A partition this broker does not host. */
        public Builder absent() {
            nextHolder += 2;
            return this;
        }

        /** A hosted partition: the replica and its current role, compared by identity. */
        public Builder holders(Object replica, Object role) {
            holders[nextHolder++] = replica;
            holders[nextHolder++] = role;
            return this;
        }

        public Builder offset(long offset) {
            offsets[nextOffset++] = offset;
            return this;
        }

        public ReadPositions build() {
            return new ReadPositions(holders, offsets);
        }
    }
}
