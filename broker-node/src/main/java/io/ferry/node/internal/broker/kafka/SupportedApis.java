package io.ferry.node.internal.broker.kafka;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The Kafka APIs the listener serves and at which versions: what ApiVersions tells a client, and what a
 * request is checked against before it is read. An API left out is one a client must do without, as with an
 * older Kafka broker: kafka-clients then fails the one call that needs it with UnsupportedVersionException.
 *
 * <p>Versions stop where a version would change what Ferry must do rather than only the encoding: Produce
 * and Fetch before v13, OffsetCommit and OffsetFetch before v10, which name topics by id, ListOffsets before v7, which asks for the record with the
 * largest timestamp. Each starts at the oldest version kafka-clients 4.4 still speaks.
 */
final class SupportedApis {

    private static final Map<ApiKeys, Short> MAX_VERSIONS = new EnumMap<>(Map.ofEntries(
            Map.entry(ApiKeys.API_VERSIONS, ApiKeys.API_VERSIONS.latestVersion()),
            Map.entry(ApiKeys.METADATA, ApiKeys.METADATA.latestVersion()),
            Map.entry(ApiKeys.PRODUCE, (short) 12),
            Map.entry(ApiKeys.FETCH, (short) 12),
            Map.entry(ApiKeys.LIST_OFFSETS, (short) 6),
            Map.entry(ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiKeys.OFFSET_FOR_LEADER_EPOCH.latestVersion()),
            Map.entry(ApiKeys.INIT_PRODUCER_ID, (short) 4),
            Map.entry(ApiKeys.FIND_COORDINATOR, ApiKeys.FIND_COORDINATOR.latestVersion()),
            Map.entry(ApiKeys.CONSUMER_GROUP_HEARTBEAT, ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion()),
            Map.entry(ApiKeys.OFFSET_COMMIT, (short) 9),
            Map.entry(ApiKeys.OFFSET_FETCH, (short) 9),
            Map.entry(ApiKeys.LIST_GROUPS, ApiKeys.LIST_GROUPS.latestVersion()),
            Map.entry(ApiKeys.CONSUMER_GROUP_DESCRIBE, ApiKeys.CONSUMER_GROUP_DESCRIBE.latestVersion()),
            Map.entry(ApiKeys.JOIN_GROUP, ApiKeys.JOIN_GROUP.latestVersion()),
            Map.entry(ApiKeys.SYNC_GROUP, ApiKeys.SYNC_GROUP.latestVersion()),
            Map.entry(ApiKeys.HEARTBEAT, ApiKeys.HEARTBEAT.latestVersion()),
            Map.entry(ApiKeys.LEAVE_GROUP, ApiKeys.LEAVE_GROUP.latestVersion()),
            Map.entry(ApiKeys.DESCRIBE_GROUPS, ApiKeys.DESCRIBE_GROUPS.latestVersion()),
            Map.entry(ApiKeys.DELETE_GROUPS, ApiKeys.DELETE_GROUPS.latestVersion()),
            Map.entry(ApiKeys.OFFSET_DELETE, ApiKeys.OFFSET_DELETE.latestVersion()),
            Map.entry(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_TOPICS.latestVersion()),
            Map.entry(ApiKeys.DELETE_TOPICS, ApiKeys.DELETE_TOPICS.latestVersion()),
            Map.entry(ApiKeys.CREATE_PARTITIONS, ApiKeys.CREATE_PARTITIONS.latestVersion()),
            Map.entry(ApiKeys.DESCRIBE_CONFIGS, ApiKeys.DESCRIBE_CONFIGS.latestVersion()),
            Map.entry(ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS.latestVersion()),
            Map.entry(ApiKeys.DELETE_RECORDS, ApiKeys.DELETE_RECORDS.latestVersion()),
            Map.entry(ApiKeys.DESCRIBE_CLUSTER, ApiKeys.DESCRIBE_CLUSTER.latestVersion()),
            Map.entry(ApiKeys.CREATE_ACLS, ApiKeys.CREATE_ACLS.latestVersion()),
            Map.entry(ApiKeys.DESCRIBE_ACLS, ApiKeys.DESCRIBE_ACLS.latestVersion()),
            Map.entry(ApiKeys.DELETE_ACLS, ApiKeys.DELETE_ACLS.latestVersion()),
            Map.entry(ApiKeys.SASL_HANDSHAKE, (short) 1),
            Map.entry(ApiKeys.SASL_AUTHENTICATE, ApiKeys.SASL_AUTHENTICATE.latestVersion())));

    /**
     * Where the oldest version served is newer than kafka-clients' oldest: SaslHandshake v0 sends the SASL
     * tokens raw after it, outside any request, which only long-gone clients do.
     */
    private static final Map<ApiKeys, Short> MIN_VERSIONS = Map.of(ApiKeys.SASL_HANDSHAKE, (short) 1);

    private SupportedApis() {}

    private static short minVersion(ApiKeys api) {
        return MIN_VERSIONS.getOrDefault(api, api.oldestVersion());
    }

    /** Whether the listener serves {@code api} at {@code version}. */
    static boolean supports(ApiKeys api, short version) {
        Short max = MAX_VERSIONS.get(api);
        return max != null && version >= minVersion(api) && version <= max;
    }

    /**
     * The answer to ApiVersions. A client that asked at a version this broker does not serve gets
     * UNSUPPORTED_VERSION with the list, to be sent at version 0, which every client reads; it asks again
     * at the highest version both know.
     */
    static ApiVersionsResponseData apiVersions(boolean askedAtSupportedVersion) {
        ApiVersionCollection keys = new ApiVersionCollection();
        MAX_VERSIONS.forEach((api, max) -> keys.add(new ApiVersion()
                .setApiKey(api.id)
                .setMinVersion(minVersion(api))
                .setMaxVersion(max)));
        return new ApiVersionsResponseData()
                .setErrorCode(askedAtSupportedVersion ? Errors.NONE.code() : Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(keys);
    }
}
