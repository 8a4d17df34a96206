package io.ferry.node.internal.broker.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.ferry.group.TopicsImage;
import io.ferry.node.internal.broker.metadata.BrokerMetadata;
import io.ferry.proto.v1.TopicRecord;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The cluster's topics as consumer groups see them ({@link TopicsImage}), from the broker's metadata view:
 * each topic's partition count, and the topics each subscription pattern matches. Patterns are RE2 regular
 * expressions (RE2/J, as Kafka), which match in time linear in the topic name whatever a client sends; a
 * pattern matches a whole name, and never an internal topic. Matches are kept until the view changes, for at
 * most {@link #MAX_CACHED_PATTERNS} patterns.
 * Thread-safe.
 */
public final class ClusterTopics {

    /**
     * Patterns whose matches are kept per metadata version, at most: clients choose the patterns, so the cache
     * is bounded; one beyond it is matched again each time it is asked for.
     */
    static final int MAX_CACHED_PATTERNS = 10_000;

    private final Supplier<BrokerMetadata> metadata;
    private volatile Snapshot snapshot = new Snapshot(-1, new TreeMap<>());

    /** One metadata version's partition counts, and the matches of each pattern asked for against them. */
    private record Snapshot(long version, TreeMap<String, Integer> partitionCounts, Map<String, Set<String>> matches) {
        Snapshot(long version, TreeMap<String, Integer> partitionCounts) {
            this(version, partitionCounts, new ConcurrentHashMap<>());
        }
    }

    public ClusterTopics(Supplier<BrokerMetadata> metadata) {
        this.metadata = metadata;
    }

    /** Why {@code pattern} does not compile as an RE2 regular expression; empty if it does. */
    public static Optional<String> problemWith(String pattern) {
        try {
            Pattern.compile(pattern);
            return Optional.empty();
        } catch (PatternSyntaxException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The topics now, with {@code patterns} resolved (the empty pattern, and one that does not compile, match nothing). */
    public TopicsImage image(Collection<String> patterns) {
        Snapshot current = current();
        Map<String, Set<String>> matches = new HashMap<>();
        for (String pattern : patterns) {
            Set<String> matched = current.matches().get(pattern);
            if (matched == null) {
                matched = matching(pattern, current);
                if (current.matches().size() < MAX_CACHED_PATTERNS) {
                    current.matches().put(pattern, matched);
                }
            }
            matches.put(pattern, matched);
        }
        return new TopicsImage(current.partitionCounts(), matches);
    }

    private Snapshot current() {
        BrokerMetadata view = metadata.get();
        Snapshot known = snapshot;
        if (known.version() == view.version()) {
            return known;
        }
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (TopicRecord topic : view.topics().values()) {
            counts.put(topic.getName(), topic.getPartitionCount());
        }
        Snapshot fresh = new Snapshot(view.version(), counts);
        snapshot = fresh;
        return fresh;
    }

    private static Set<String> matching(String pattern, Snapshot topics) {
        if (pattern.isEmpty()) {
            return Set.of();
        }
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            return Set.of();
        }
        Set<String> matched = new TreeSet<>();
        for (String topic : topics.partitionCounts().keySet()) {
            if (!OffsetsTopic.isInternal(topic) && compiled.matcher(topic).matches()) {
                matched.add(topic);
            }
        }
        return Collections.unmodifiableSet(matched);
    }
}
