package io.ferry.storage.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Key hash to latest offset, in a fixed amount of memory, for one cleaning pass: Kafka's
 * {@code SkimpyOffsetMap}. Each slot holds a 16-byte MD5 of the key and an 8-byte offset in one long[]
 * allocated up front (the dedupe buffer); collisions are resolved by probing. The map accepts keys only
 * while it is less than {@code loadFactor} full; when it refuses one the cleaner stops reading the dirty
 * section there and cleans only up to the last offset it mapped (the next pass takes the rest).
 *
 * <p>Two keys with the same MD5 count as one: like Kafka, the cleaner accepts that risk (2^-128 per pair).
 *
 * <p>Not thread-safe: one cleaner thread owns a map and reuses it across passes ({@link #clear()}).
 */
public final class OffsetMap {

    private static final int HASH_BYTES = 16;
    private static final int SLOT_BYTES = HASH_BYTES + Long.BYTES;
    /** A slot is three longs: the two halves of the key's MD5, then the offset. */
    private static final int SLOT_LONGS = SLOT_BYTES / Long.BYTES;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final long[] slots;
    private final int slotCount;
    private final int maxEntries;
    private final MessageDigest digest;
    private final byte[] hash = new byte[HASH_BYTES];
    private final long[] scratch = new long[2];

    private int entries;
    private long latestOffset = -1;

    /**
     * @param memoryBytes {@code log.cleaner.dedupe.buffer.size} given to this map
     * @param loadFactor  {@code log.cleaner.io.buffer.load.factor}: the fullest the map may get, in (0, 1]
     */
    public OffsetMap(int memoryBytes, double loadFactor) {
        if (memoryBytes < 2 * SLOT_BYTES) {
            throw new IllegalArgumentException("a dedupe buffer of " + memoryBytes + " bytes holds no key");
        }
        if (!(loadFactor > 0 && loadFactor <= 1)) {
            throw new IllegalArgumentException("load factor " + loadFactor + " is not in (0, 1]");
        }
        this.slotCount = memoryBytes / SLOT_BYTES;
        this.slots = new long[slotCount * SLOT_LONGS];
        // One slot always stays empty, so that probing for an absent key ends.
        this.maxEntries = Math.max(1, Math.min(slotCount - 1, (int) (slotCount * loadFactor)));
        try {
            this.digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    /**
     * Records {@code offset} as the latest of {@code key}, unless the map is full and the key is new.
     *
     * @return false, and nothing recorded, when the map is full
     */
    public boolean put(ByteBuffer key, long offset) {
        hash(key, scratch, 0);
        return put(scratch[0], scratch[1], offset);
    }

    /** The latest offset recorded for {@code key}, or -1. */
    public long get(ByteBuffer key) {
        hash(key, scratch, 0);
        return get(scratch[0], scratch[1]);
    }

    /**
     * Writes the key's hash, two longs, into {@code into} at {@code at}, for {@link #put(long, long, long)}
     * and {@link #get(long, long)}. Hashing a batch's keys before probing for any of them lets the CPU
     * overlap the probes' cache misses, which dominate a pass over a large map.
     */
    public void hash(ByteBuffer key, long[] into, int at) {
        digest.update(key.duplicate());
        try {
            digest.digest(hash, 0, HASH_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        into[at] = (long) LONGS.get(hash, 0);
        into[at + 1] = (long) LONGS.get(hash, Long.BYTES);
    }

    /** As {@link #put(ByteBuffer, long)}, for a key hashed by {@link #hash}. */
    public boolean put(long high, long low, long offset) {
        int index = find(high, low) * SLOT_LONGS;
        if (isEmpty(index)) {
            if (entries >= maxEntries) {
                return false;
            }
            slots[index] = high;
            slots[index + 1] = low;
            entries++;
        }
        slots[index + 2] = offset;
        latestOffset = Math.max(latestOffset, offset);
        return true;
    }

    /** As {@link #get(ByteBuffer)}, for a key hashed by {@link #hash}. */
    public long get(long high, long low) {
        int index = find(high, low) * SLOT_LONGS;
        return isEmpty(index) ? -1 : slots[index + 2];
    }

    /** Marks {@code offset} as read: the map covers the dirty section up to it, keyed or not. */
    public void updateLatestOffset(long offset) {
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The last offset of the dirty section the map covers; -1 when empty. */
    public long latestOffset() {
        return latestOffset;
    }

    public int size() {
        return entries;
    }

    public void clear() {
        Arrays.fill(slots, 0L);
        entries = 0;
        latestOffset = -1;
    }

    /**
     * The slot holding the hash {@code (high, low)}, or the empty slot where it would go (linear probing
     * from the hash's top bits).
     */
    private int find(long high, long low) {
        int slot = Math.floorMod((int) (high >>> 32), slotCount);
        while (true) {
            int index = slot * SLOT_LONGS;
            if (isEmpty(index) || (slots[index] == high && slots[index + 1] == low)) {
                return slot;
            }
            slot = slot + 1 == slotCount ? 0 : slot + 1;
        }
    }

    /** A slot is empty when its hash is all zeros (an MD5 that is all zeros is taken as a collision). */
    private boolean isEmpty(int index) {
        return slots[index] == 0 && slots[index + 1] == 0;
    }
}
