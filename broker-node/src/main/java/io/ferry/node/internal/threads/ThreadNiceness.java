package io.ferry.node.internal.threads;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sets the Linux nice value of the calling thread. Java has no API for it (thread priorities are ignored on
 * Linux unless the whole JVM runs with {@code -XX:ThreadPriorityPolicy=1}, and even then map to nice 4 at
 * most), but on Linux {@code setpriority(PRIO_PROCESS, tid, nice)} applies to the one thread whose id is
 * given, and raising one's own nice value needs no privilege.
 */
final class ThreadNiceness {

    private static final int PRIO_PROCESS = 0;

    /** libc, loaded at first use: a node that never lowers a thread never loads native code for it. */
    private static final class LibC {
        interface Calls extends Library {
            int setpriority(int which, int who, int prio) throws LastErrorException;
        }

        static final Calls CALLS = Native.load("c", Calls.class);
    }

    private ThreadNiceness() {}

    /**
     * Gives the calling thread the nice value {@code nice}.
     *
     * @throws IOException naming why not: not Linux, libc not loadable, or the kernel refused (lowering a
     *     nice value below the current one needs privilege)
     */
    static void setForCurrentThread(int nice) throws IOException {
        int tid = currentThreadId();
        try {
            LibC.CALLS.setpriority(PRIO_PROCESS, tid, nice);
        } catch (LastErrorException e) {
            throw new IOException(
                    "setpriority(" + nice + ") for thread " + tid + " failed with errno " + e.getErrorCode(), e);
        } catch (LinkageError e) {
            throw new IOException("cannot call libc's setpriority: " + e.getMessage(), e);
        }
    }

    /** The kernel's id of the calling thread: {@code /proc/thread-self} links to {@code <pid>/task/<tid>}. */
    private static int currentThreadId() throws IOException {
        Path link = Path.of("/proc/thread-self");
        if (!Files.isSymbolicLink(link)) {
            throw new IOException("no " + link + " (not Linux, or a kernel older than 3.17)");
        }
        Path target = Files.readSymbolicLink(link);
        try {
            return Integer.parseInt(target.getFileName().toString());
        } catch (NumberFormatException e) {
            throw new IOException(link + " links to " + target + ", which does not end in a thread id", e);
        }
    }
}
