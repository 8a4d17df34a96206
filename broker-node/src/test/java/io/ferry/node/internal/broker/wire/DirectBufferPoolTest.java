package io.ferry.node.internal.broker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class DirectBufferPoolTest {

    @Property(tries = 100)
    void aBufferIsDirectAndExactlyAsLongAsAskedFromPositionZero(@ForAll @IntRange(min = 0, max = 5 << 20) int bytes) {
        ByteBuffer buffer = new DirectBufferPool(1 << 20).acquire(bytes);

        assertTrue(buffer.isDirect());
        assertEquals(0, buffer.position());
        assertEquals(bytes, buffer.limit());
        assertTrue(buffer.capacity() < Math.max(2 * bytes, 4097), "at most twice the size asked for");
    }

    @Test
    void aReleasedBufferServesTheNextRequestOfItsSizeClass() {
        DirectBufferPool pool = new DirectBufferPool(1 << 20);
        ByteBuffer first = pool.acquire(5000);
        first.position(17);

        pool.release(first);
        assertEquals(8192, pool.pooledBytes());
        ByteBuffer again = pool.acquire(6000);

        assertSame(first, again);
        assertEquals(0, again.position());
        assertEquals(6000, again.limit());
        assertEquals(0, pool.pooledBytes());
        assertNotSame(first, pool.acquire(6000), "a buffer in use is not handed out twice");
        assertNotSame(first, pool.acquire(100), "another size class");
    }

    @Test
    void keepsNoMoreFreeBytesThanItsLimitAndIgnoresForeignBuffers() {
        DirectBufferPool pool = new DirectBufferPool(10_000);
        ByteBuffer a = pool.acquire(8192);
        ByteBuffer b = pool.acquire(8192);

        pool.release(a);
        pool.release(b);
        pool.release(ByteBuffer.allocate(4096));
        pool.release(ByteBuffer.allocateDirect(5000));

        assertEquals(8192, pool.pooledBytes());
        assertSame(a, pool.acquire(8192));
        assertNotSame(b, pool.acquire(8192), "b was dropped for the garbage collector");
    }
}
