package io.ferry.storage.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a mapping now rather than when the garbage collector finds its buffer unreachable, so that a
 * deleted file's blocks are freed at once. The JDK has no public API for it before Java 22 (a shared
 * {@code Arena} of the foreign memory API, beyond the Java 17 baseline), so this calls
 * {@code sun.misc.Unsafe.invokeCleaner}, as Kafka and Lucene do; JDK 24 and later print a one-time
 * warning that the method will be removed. Where it cannot be found, nothing is unmapped early and the
 * garbage collector does it, as before.
 *
 * <p>Reading the buffer, or any slice of it, once it was unmapped crashes the JVM: only {@link LogSegment}
 * calls this (through its files), when its count says that no reader holds the segment.
 */
final class Unmapper {

    /** {@code Unsafe.invokeCleaner(ByteBuffer)} bound to the Unsafe instance, or null where it does not exist. */
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private Unmapper() {}

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(theUnsafe.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Unmaps {@code mapping} (the buffer {@code FileChannel.map} returned, not a slice of it). */
    static void unmap(MappedByteBuffer mapping) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) mapping);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("unmapping failed", e);
        }
    }
}
