package io.ferry.node;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Runs the real command line with {@link TestRole}s, for the separate-process test. */
public final class TestNodeMain {

    private TestNodeMain() {
    }

    public static void main(String[] args) {
        List<String> events = Collections.synchronizedList(new CopyOnWriteArrayList<>());
        int status = FerryNode.run(args, (role, config, registry) -> new TestRole(role, events, false),
                System.getenv());
        if (status != 0) {
            System.exit(status);
        }
    }
}
