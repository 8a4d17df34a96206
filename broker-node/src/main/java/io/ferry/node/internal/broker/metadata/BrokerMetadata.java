package io.ferry.node.internal.broker.metadata;

import io.ferry.controller.ScramProtos;
import io.ferry.proto.v1.AclBinding;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaRecord;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.RemoveUserScramCredentialRecord;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.proto.v1.UserScramCredentialRecord;
import io.ferry.proto.v1.VersionedRecord;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramMechanism;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The broker's immutable view of cluster metadata at one version, built from the controller's
 * FetchMetadata answers: a whole image, or the records after the version the broker had. Applying
 * records mirrors the controller's state machine (records are only those it applied).
 *
 * @param partitions topic → partition number → record
 * @param acls every ACL of the cluster, by the id the controller gave it
 * @param scramCredentials every SCRAM credential of the cluster: mechanism → user name → credential (Kafka's
 *     {@code ScramImage})
 * @param clientQuotas every client quota: entity (components user then client-id) → key → value
 * @param clusterId the cluster's id (ClusterIdRecord); empty until the first active controller chose it
 */
public record BrokerMetadata(
        long version,
        Map<Integer, BrokerRegistration> brokers,
        Map<String, TopicRecord> topics,
        Map<String, Map<Integer, PartitionRecord>> partitions,
        Map<String, AclBinding> acls,
        Map<ScramMechanism, Map<String, ScramCredential>> scramCredentials,
        Map<ClientQuotaEntity, Map<String, Double>> clientQuotas,
        String clusterId) {

    public static final BrokerMetadata EMPTY = new BrokerMetadata(0, Map.of(), Map.of(), Map.of());

    public BrokerMetadata {
        brokers = Collections.unmodifiableMap(brokers);
        topics = Collections.unmodifiableMap(topics);
        partitions = Collections.unmodifiableMap(partitions);
        acls = Collections.unmodifiableMap(acls);
        scramCredentials = Collections.unmodifiableMap(scramCredentials);
        clientQuotas = Collections.unmodifiableMap(clientQuotas);
    }

    /** A view with no SCRAM credential and no client quota. */
    public BrokerMetadata(
            long version,
            Map<Integer, BrokerRegistration> brokers,
            Map<String, TopicRecord> topics,
            Map<String, Map<Integer, PartitionRecord>> partitions,
            Map<String, AclBinding> acls) {
        this(version, brokers, topics, partitions, acls, Map.of(), Map.of(), "");
    }

    /** A view with no ACL. */
    public BrokerMetadata(
            long version,
            Map<Integer, BrokerRegistration> brokers,
            Map<String, TopicRecord> topics,
            Map<String, Map<Integer, PartitionRecord>> partitions) {
        this(version, brokers, topics, partitions, Map.of());
    }

    /** The view after {@code response}; this one if it brings nothing new. */
    public BrokerMetadata apply(FetchMetadataResponse response) {
        if (response.hasImage()) {
            return fromImage(response.getImage());
        }
        if (response.getRecordsCount() == 0) {
            return response.getMetadataVersion() > version ? withVersion(response.getMetadataVersion()) : this;
        }
        Builder b = new Builder(this);
        long v = version;
        for (VersionedRecord r : response.getRecordsList()) {
            if (r.getVersion() <= v) {
                continue;
            }
            b.apply(r.getRecord());
            v = r.getVersion();
        }
        return b.build(Math.max(v, response.getMetadataVersion()));
    }

    private BrokerMetadata withVersion(long v) {
        return new BrokerMetadata(v, brokers, topics, partitions, acls, scramCredentials, clientQuotas, clusterId);
    }

    static BrokerMetadata fromImage(MetadataImage image) {
        Builder b = new Builder(EMPTY);
        image.getBrokersList().forEach(r -> b.brokers.put(r.getBrokerId(), r));
        image.getTopicsList().forEach(t -> b.topics.put(t.getName(), t));
        image.getPartitionsList().forEach(b::putPartition);
        image.getAclsList().forEach(a -> b.acls.put(a.getId(), a.getBinding()));
        image.getScramCredentialsList().forEach(b::putScramCredential);
        image.getClientQuotasList().forEach(b::applyClientQuota);
        b.clusterId = image.getClusterId();
        return b.build(image.getVersion());
    }

    public Optional<PartitionRecord> partition(String topic, int partition) {
        Map<Integer, PartitionRecord> byNumber = partitions.get(topic);
        return Optional.ofNullable(byNumber == null ? null : byNumber.get(partition));
    }

    /**
     * {@code user}'s credential for {@code mechanism} at this view's version, what a broker verifies a SCRAM
     * client against; empty when the user has none (or the broker has not received it yet).
     */
    public Optional<ScramCredential> scramCredential(String user, ScramMechanism mechanism) {
        Map<String, ScramCredential> users = scramCredentials.get(mechanism);
        return Optional.ofNullable(users == null ? null : users.get(user));
    }

    /** The partitions of {@code topic}, by number; empty if unknown. */
    public List<PartitionRecord> partitionsOf(String topic) {
        Map<Integer, PartitionRecord> byNumber = partitions.get(topic);
        return byNumber == null ? List.of() : List.copyOf(byNumber.values());
    }

    private static final class Builder {
        final Map<Integer, BrokerRegistration> brokers;
        final Map<String, TopicRecord> topics;
        final Map<String, Map<Integer, PartitionRecord>> partitions;
        /** The topics whose partitions this builder copied to change them: topic → its copy. */
        private final Map<String, TreeMap<Integer, PartitionRecord>> written = new HashMap<>();

        final Map<String, AclBinding> acls;
        final Map<ScramMechanism, Map<String, ScramCredential>> scramCredentials;
        final Map<ClientQuotaEntity, Map<String, Double>> clientQuotas;
        String clusterId;

        Builder(BrokerMetadata from) {
            clusterId = from.clusterId;
            brokers = new HashMap<>(from.brokers);
            topics = new HashMap<>(from.topics);
            acls = new HashMap<>(from.acls);
            scramCredentials = new EnumMap<>(ScramMechanism.class);
            from.scramCredentials.forEach((m, users) -> scramCredentials.put(m, new HashMap<>(users)));
            clientQuotas = new HashMap<>(from.clientQuotas);
            partitions = new HashMap<>(from.partitions);
        }

        /**
         * The partitions of {@code topic} this builder may change: copied the first time, so the views before keep
         * theirs, and every topic no record touches stays shared with them (whose partitions a broker then need
         * not walk again: see PartitionReconciler).
         */
        private Map<Integer, PartitionRecord> writablePartitions(String topic) {
            return written.computeIfAbsent(topic, t -> {
                Map<Integer, PartitionRecord> before = partitions.get(t);
                TreeMap<Integer, PartitionRecord> copy = before == null ? new TreeMap<>() : new TreeMap<>(before);
                partitions.put(t, copy);
                return copy;
            });
        }

        private void removePartitions(String topic) {
            partitions.remove(topic);
            written.remove(topic);
        }

        void putPartition(PartitionRecord p) {
            writablePartitions(p.getTopic()).put(p.getPartition(), p);
        }

        /** A credential of a mechanism this broker does not offer cannot verify anyone here: left out. */
        void putScramCredential(UserScramCredentialRecord r) {
            if (ScramMechanism.forMechanismName(r.getMechanism()).isPresent()) {
                ScramCredential credential = ScramProtos.credential(r);
                scramCredentials
                        .computeIfAbsent(credential.mechanism(), m -> new HashMap<>())
                        .put(r.getName(), credential);
            }
        }

        void removeScramCredential(RemoveUserScramCredentialRecord r) {
            ScramMechanism.forMechanismName(r.getMechanism()).ifPresent(mechanism -> {
                Map<String, ScramCredential> users = scramCredentials.get(mechanism);
                if (users != null) {
                    users.remove(r.getName());
                }
            });
        }

        void apply(MetadataRecord record) {
            switch (record.getRecordCase()) {
                case REGISTER_BROKER ->
                    brokers.put(
                            record.getRegisterBroker().getRegistration().getBrokerId(),
                            record.getRegisterBroker().getRegistration());
                case FENCE_BROKER -> setFenced(record.getFenceBroker().getBrokerId(), true);
                case UNFENCE_BROKER -> setFenced(record.getUnfenceBroker().getBrokerId(), false);
                case CREATE_TOPIC -> {
                    TopicRecord topic = record.getCreateTopic().getTopic();
                    topics.put(topic.getName(), topic);
                    removePartitions(topic.getName());
                    record.getCreateTopic().getPartitionsList().forEach(this::putPartition);
                }
                case DELETE_TOPIC -> {
                    topics.remove(record.getDeleteTopic().getName());
                    removePartitions(record.getDeleteTopic().getName());
                }
                case PARTITION_CHANGE -> {
                    PartitionRecord p = record.getPartitionChange().getPartition();
                    if (topics.containsKey(p.getTopic())) {
                        putPartition(p);
                    }
                }
                case CREATE_PARTITIONS -> {
                    TopicRecord topic = topics.get(record.getCreatePartitions().getName());
                    if (topic != null) {
                        record.getCreatePartitions().getPartitionsList().forEach(this::putPartition);
                        topics.put(
                                topic.getName(),
                                topic.toBuilder()
                                        .setPartitionCount(
                                                partitions.get(topic.getName()).size())
                                        .build());
                    }
                }
                case TOPIC_CONFIG_CHANGE -> {
                    TopicRecord topic = topics.get(record.getTopicConfigChange().getName());
                    if (topic != null) {
                        topics.put(
                                topic.getName(),
                                topic.toBuilder()
                                        .clearConfigs()
                                        .putAllConfigs(
                                                record.getTopicConfigChange().getConfigsMap())
                                        .build());
                    }
                }
                case ACCESS_CONTROL_ENTRY ->
                    acls.put(
                            record.getAccessControlEntry().getId(),
                            record.getAccessControlEntry().getBinding());
                case REMOVE_ACCESS_CONTROL_ENTRY ->
                    acls.remove(record.getRemoveAccessControlEntry().getId());
                case USER_SCRAM_CREDENTIAL -> putScramCredential(record.getUserScramCredential());
                case REMOVE_USER_SCRAM_CREDENTIAL -> removeScramCredential(record.getRemoveUserScramCredential());
                case CLIENT_QUOTA -> applyClientQuota(record.getClientQuota());
                case CLUSTER_ID -> clusterId = record.getClusterId().getClusterId();
                case RECORD_NOT_SET -> {
                    // A record kind this broker does not know carries nothing it acts on.
                }
            }
        }

        /** Copies on write: the maps of earlier views stay unchanged. */
        void applyClientQuota(ClientQuotaRecord r) {
            Map<String, Double> values = new HashMap<>(clientQuotas.getOrDefault(r.getEntity(), Map.of()));
            if (r.getRemove()) {
                values.remove(r.getKey());
            } else {
                values.put(r.getKey(), r.getValue());
            }
            if (values.isEmpty()) {
                clientQuotas.remove(r.getEntity());
            } else {
                clientQuotas.put(r.getEntity(), Map.copyOf(values));
            }
        }

        private void setFenced(int brokerId, boolean fenced) {
            BrokerRegistration r = brokers.get(brokerId);
            if (r != null) {
                brokers.put(brokerId, r.toBuilder().setFenced(fenced).build());
            }
        }

        BrokerMetadata build(long version) {
            // Shared with the views after this one from now on: read-only.
            written.forEach((topic, copy) -> partitions.put(topic, Collections.unmodifiableMap(copy)));
            written.clear();
            return new BrokerMetadata(
                    version, brokers, topics, partitions, acls, scramCredentials, clientQuotas, clusterId);
        }
    }
}
