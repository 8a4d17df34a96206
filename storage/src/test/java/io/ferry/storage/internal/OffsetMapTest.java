package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetMapTest {

    private static ByteBuffer key(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheLatestOffsetPerKeyAndRefusesNewKeysOnceFull() {
        OffsetMap map = new OffsetMap(24 * 10, 0.5); // 10 slots, 5 keys
        for (int i = 0; i < 5; i++) {
            assertTrue(map.put(key("k" + i), i));
        }
        assertTrue(map.put(key("k0"), 50), "a known key is updated when full");
        assertFalse(map.put(key("new"), 51));
        assertEquals(50, map.get(key("k0")));
        assertEquals(3, map.get(key("k3")));
        assertEquals(-1, map.get(key("new")));
        assertEquals(5, map.size());
        assertEquals(50, map.latestOffset());

        map.clear();
        assertEquals(0, map.size());
        assertEquals(-1, map.latestOffset());
        assertEquals(-1, map.get(key("k0")));
    }

    @Test
    void aFullLoadFactorStillLeavesOneSlotSoLookupsEnd() {
        OffsetMap map = new OffsetMap(24 * 3, 1.0);
        assertTrue(map.put(key("a"), 1));
        assertTrue(map.put(key("b"), 2));
        assertFalse(map.put(key("c"), 3));
        assertEquals(-1, map.get(key("c")));
        assertThrows(IllegalArgumentException.class, () -> new OffsetMap(24, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new OffsetMap(240, 0));
    }
}
