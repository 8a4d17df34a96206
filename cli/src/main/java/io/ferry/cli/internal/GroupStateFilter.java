package io.ferry.cli.internal;

import io.ferry.client.ConsumerGroupListing;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code groups list --state [STATE,...]}: which listed groups to print. No names (a bare {@code --state})
 * keeps every group; names are matched without regard to case, as {@code kafka-consumer-groups.sh} does.
 * Immutable.
 */
final class GroupStateFilter {

    /**
     * The states brokers report in ListGroups' {@code group_state} (group.proto): Kafka 4's consumer group
     * states, as the group-coordinator's {@code GroupState} names them.
     */
    static final List<String> STATES = List.of("EMPTY", "ASSIGNING", "RECONCILING", "STABLE");

    private final Set<String> wanted;

    private GroupStateFilter(Set<String> wanted) {
        this.wanted = wanted;
    }

    /**
     * @param names the option's values, blank ones ignored (a bare {@code --state} gives one empty value)
     * @throws UsageException naming the allowed states for a name that is none of them
     */
    static GroupStateFilter of(List<String> names) {
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : names) {
            if (name.isBlank()) {
                continue;
            }
            String state = name.strip().toUpperCase(Locale.ROOT);
            if (!STATES.contains(state)) {
                throw new UsageException("--state: unknown group state '" + name.strip() + "'; the states are "
                        + String.join(", ", STATES) + " (any case)");
            }
            wanted.add(state);
        }
        return new GroupStateFilter(Set.copyOf(wanted));
    }

    boolean accepts(ConsumerGroupListing group) {
        return wanted.isEmpty() || wanted.contains(group.state().toUpperCase(Locale.ROOT));
    }
}
