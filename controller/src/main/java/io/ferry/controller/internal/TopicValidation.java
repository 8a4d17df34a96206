package io.ferry.controller.internal;

import io.ferry.config.ConfigException;
import io.ferry.config.ConfigOrigin;
import io.ferry.config.TopicKeys;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks topic names and creation requests before anything is decided. */
public final class TopicValidation {
    /** Longest topic name; a partition directory name must stay under the file-name limit. */
    public static final int MAX_NAME_LENGTH = 249;
    /** Most partitions one topic may have; bounds the size of one Raft log entry. */
    public static final int MAX_PARTITIONS = 10_000;
    /** Most replicas one partition may have. */
    public static final int MAX_REPLICATION_FACTOR = 16;
    /** Most config overrides one topic may carry, and the longest key or value. */
    public static final int MAX_CONFIGS = 100;

    public static final int MAX_CONFIG_LENGTH = 1024;
    /** The one override the controller interprets: it must be reachable with the topic's replicas. */
    public static final String MIN_INSYNC_REPLICAS = TopicKeys.MIN_INSYNC_REPLICAS.name();

    private static final ConfigOrigin TOPIC_CONFIG = ConfigOrigin.supplied("topic config");

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private TopicValidation() {}

    /** {@link Errors#NONE} or an INVALID_TOPIC error naming what is wrong with the name. */
    public static Error checkName(String name) {
        if (name.isEmpty()) {
            return Errors.of(ErrorCode.INVALID_TOPIC, "topic name is empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return Errors.of(
                    ErrorCode.INVALID_TOPIC,
                    "topic name is " + name.length() + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
        }
        if (name.equals(".") || name.equals("..")) {
            return Errors.of(ErrorCode.INVALID_TOPIC, "topic name may not be '.' or '..'");
        }
        if (!LEGAL.matcher(name).matches()) {
            return Errors.of(
                    ErrorCode.INVALID_TOPIC,
                    "topic name '" + printable(name)
                            + "' contains characters other than ASCII letters, digits, '.', '_' and '-'");
        }
        return Errors.NONE;
    }

    /** Checks everything of a creation request that does not depend on the cluster's state. */
    public static Error checkCreate(CreateTopicRequest request) {
        Error name = checkName(request.getName());
        if (!Errors.isOk(name)) {
            return name;
        }
        int partitions = request.getPartitionCount();
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            return Errors.of(
                    ErrorCode.INVALID_PARTITIONS,
                    "partition count must be between 1 and " + MAX_PARTITIONS + ", got " + partitions);
        }
        int rf = request.getReplicationFactor();
        if (rf < 1 || rf > MAX_REPLICATION_FACTOR) {
            return Errors.of(
                    ErrorCode.INVALID_REPLICATION_FACTOR,
                    "replication factor must be between 1 and " + MAX_REPLICATION_FACTOR + ", got " + rf);
        }
        Error configs = checkConfigs(request.getConfigsMap());
        return Errors.isOk(configs) ? checkMinInsyncReplicas(request.getConfigsMap(), rf) : configs;
    }

    /**
     * A {@code min.insync.replicas} override above the replication factor can never be met: every acks=all
     * produce would fail. Checked here, against the committed replication factor, as well as on the
     * receiving broker (which also knows its default for topics without the override); a value that does
     * not parse as the key's declaration says is the brokers' to refuse, as every other override value.
     */
    public static Error checkMinInsyncReplicas(Map<String, String> configs, int replicationFactor) {
        String value = configs.get(MIN_INSYNC_REPLICAS);
        int minInsync;
        try {
            minInsync = value == null ? 0 : TopicKeys.MIN_INSYNC_REPLICAS.key().parse(value, TOPIC_CONFIG);
        } catch (ConfigException e) {
            return Errors.NONE;
        }
        return minInsync <= replicationFactor
                ? Errors.NONE
                : Errors.of(
                        ErrorCode.INVALID_CONFIG,
                        MIN_INSYNC_REPLICAS
                                + " " + minInsync + " is above the replication factor " + replicationFactor
                                + ", so no acks=all produce could ever succeed; set " + MIN_INSYNC_REPLICAS
                                + " to at most "
                                + replicationFactor);
    }

    /** Bounds on a topic's overrides (their meaning is the brokers' to check). */
    public static Error checkConfigs(Map<String, String> configs) {
        if (configs.size() > MAX_CONFIGS) {
            return Errors.of(
                    ErrorCode.INVALID_REQUEST,
                    "at most " + MAX_CONFIGS + " config overrides are allowed, got " + configs.size());
        }
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (e.getKey().isEmpty()
                    || e.getKey().length() > MAX_CONFIG_LENGTH
                    || e.getValue().length() > MAX_CONFIG_LENGTH) {
                return Errors.of(
                        ErrorCode.INVALID_REQUEST,
                        "config keys must be 1 to " + MAX_CONFIG_LENGTH + " characters and values at most "
                                + MAX_CONFIG_LENGTH);
            }
        }
        return Errors.NONE;
    }

    private static String printable(String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
