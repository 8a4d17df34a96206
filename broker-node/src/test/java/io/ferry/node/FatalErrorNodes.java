package io.ferry.node;

import io.ferry.node.internal.BrokerRole;
import io.ferry.node.internal.ControllerRole;
import java.time.InstantSource;
import java.util.ArrayList;

/**
 * Node processes for {@link NodeProcessTest} that meet an Error where a real one could strike, each run
 * through {@link FerryNode#main(String[], io.ferry.node.internal.RoleFactory)} as a real node is.
 */
final class FatalErrorNodes {

    /** The topic whose arrival in a metadata view makes the broker's metadata application throw. */
    static final String POISON_TOPIC = "poison";

    private FatalErrorNodes() {}

    /** A controller-role {@link TestRole}: its echo service throws on a gRPC request thread when asked to. */
    static final class OnARequestThread {
        public static void main(String[] args) {
            FerryNode.main(args, (role, config, registry, threads) -> new TestRole(role, new ArrayList<>(), false));
        }
    }

    /** Real roles, but the broker's metadata application throws once a view holds {@link #POISON_TOPIC}. */
    static final class OnTheMetadataThread {
        public static void main(String[] args) {
            FerryNode.main(args, (role, config, registry, threads) -> switch (role) {
                case CONTROLLER -> new ControllerRole(config, registry, InstantSource.system(), threads);
                case BROKER ->
                    new BrokerRole(config, registry, InstantSource.system(), threads, apply -> view -> {
                        if (view.topics().containsKey(POISON_TOPIC)) {
                            throw new OutOfMemoryError("injected into the metadata application");
                        }
                        apply.accept(view);
                    });
            });
        }
    }
}
