package io.ferry.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class AppendValidationTest {

    @Test
    void copyOfAReadOnlyBufferIsAWritableDirectBufferWithTheSameBytes() {
        ByteBuffer source = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 4, 9})
                .position(1)
                .limit(5)
                .asReadOnlyBuffer();

        ByteBuffer copy = AppendValidation.copy(source);

        assertTrue(copy.isDirect(), "a heap copy would be copied again by the JDK before the write");
        assertFalse(copy.isReadOnly());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), copy);
        assertEquals(1, source.position(), "the source's position is left alone");
    }
}
