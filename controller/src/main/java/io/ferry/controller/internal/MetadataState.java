package io.ferry.controller.internal;

import io.ferry.proto.v1.AccessControlEntryRecord;
import io.ferry.proto.v1.BrokerRegistration;
import io.ferry.proto.v1.ClientQuotaEntity;
import io.ferry.proto.v1.ClientQuotaRecord;
import io.ferry.proto.v1.CommandResult;
import io.ferry.proto.v1.CompletedRequest;
import io.ferry.proto.v1.ControllerCommand;
import io.ferry.proto.v1.ControllerSnapshot;
import io.ferry.proto.v1.CreatePartitionsRecord;
import io.ferry.proto.v1.CreateTopicRecord;
import io.ferry.proto.v1.DeleteTopicRecord;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FenceBrokerRecord;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.PartitionChangeRecord;
import io.ferry.proto.v1.PartitionRecord;
import io.ferry.proto.v1.ProducerIdsRecord;
import io.ferry.proto.v1.RemoveAccessControlEntryRecord;
import io.ferry.proto.v1.TopicConfigChangeRecord;
import io.ferry.proto.v1.TopicRecord;
import io.ferry.proto.v1.UnfenceBrokerRecord;
import io.ferry.proto.v1.UserScramCredentialRecord;
import io.ferry.proto.v1.VersionedRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster metadata image plus the log of recent records, for "changes since version V", the
 * requests the controllers remember by idempotency key ({@link CompletedRequests}), and the first
 * producer id not handed out yet.
 *
 * <p>{@link #apply} is the only mutator (the Ratis state machine calls it for each committed
 * command, and a snapshot {@link #load} replaces everything). Applying is deterministic: the same
 * commands in the same order give the same {@link #snapshot()}. A command is applied all or nothing:
 * every record is checked against the state before the command, so the records of one command must
 * touch distinct partitions (the active controller builds them that way); the request it completes is
 * remembered only when its records applied. Each applied record raises the version by one.
 *
 * <p>Thread-safe: every method is synchronized; readers get immutable protobuf values.
 */
public final class MetadataState {
    private final int retainedRecords;
    private final TreeMap<Integer, BrokerRegistration> brokers = new TreeMap<>();
    private final TreeMap<String, TopicRecord> topics = new TreeMap<>();
    private final TreeMap<String, PartitionRecord[]> partitions = new TreeMap<>();
    /** Every ACL, by id. */
    private final TreeMap<String, AccessControlEntryRecord> acls = new TreeMap<>();

    private final UserScramCredentials scramCredentials = new UserScramCredentials();
    /** Every client quota: entity (canonical) → key → value. */
    private final TreeMap<ClientQuotaEntity, TreeMap<String, Double>> clientQuotas = new TreeMap<>(ClientQuotas.ORDER);
    /** The most recent records, oldest first, at most {@link #retainedRecords}. */
    private final ArrayDeque<VersionedRecord> recent = new ArrayDeque<>();
    /** Per broker id: {replicas held, leaderships held}; kept up to date by replay for placement. */
    private final TreeMap<Integer, int[]> counts = new TreeMap<>();

    private final CompletedRequests completed = new CompletedRequests();
    private long version;
    /** The cluster's id; empty until the first active controller chose it (ClusterIdRecord). */
    private String clusterId = "";
    /** Every producer id below it was handed to a broker (ProducerIdsRecord). */
    private long nextProducerId;

    /** @param retainedRecords how many recent records to keep for incremental fetches (≥ 0) */
    public MetadataState(int retainedRecords) {
        if (retainedRecords < 0) {
            throw new IllegalArgumentException("retainedRecords must be >= 0, got " + retainedRecords);
        }
        this.retainedRecords = retainedRecords;
    }

    /**
     * Applies a command committed in Raft term {@code entryTerm}.
     *
     * @return the result: an error (and no change) when the command was decided in another term or
     *     one of its records no longer fits the state (a partition change whose partition moved on is left
     *     out instead when the command says so)
     */
    public synchronized CommandResult apply(ControllerCommand command, long entryTerm) {
        if (command.getLeaderTerm() != entryTerm) {
            return result(Errors.of(
                    ErrorCode.NOT_CONTROLLER,
                    "command decided in term " + command.getLeaderTerm() + " was logged in term " + entryTerm
                            + "; decide it again"));
        }
        Set<String> touchedPartitions = new HashSet<>();
        List<MetadataRecord> records = new ArrayList<>(command.getRecordsCount());
        for (MetadataRecord record : command.getRecordsList()) {
            Error error = check(record, touchedPartitions);
            if (error.getCode() == ErrorCode.STALE_PARTITION_EPOCH && command.getSkipStalePartitionChanges()) {
                continue;
            }
            if (!Errors.isOk(error)) {
                return result(error);
            }
            records.add(record);
        }
        if (command.hasProducerIds()) {
            Error error = checkProducerIds(command.getProducerIds());
            if (!Errors.isOk(error)) {
                return result(error);
            }
            nextProducerId = command.getProducerIds().getNextProducerId();
        }
        for (MetadataRecord record : records) {
            replay(record);
            version++;
            if (retainedRecords > 0) {
                if (recent.size() == retainedRecords) {
                    recent.removeFirst();
                }
                recent.addLast(VersionedRecord.newBuilder()
                        .setVersion(version)
                        .setRecord(record)
                        .build());
            }
        }
        if (command.hasCompletes()) {
            completed.remember(
                    command.getCompletes(), command.getForgetCompletedBeforeMs(), command.getRememberAtMost());
        }
        return result(Errors.NONE);
    }

    private CommandResult result(Error error) {
        return CommandResult.newBuilder()
                .setError(error)
                .setMetadataVersion(version)
                .build();
    }

    private Error check(MetadataRecord record, Set<String> touchedPartitions) {
        switch (record.getRecordCase()) {
            case REGISTER_BROKER:
                return record.getRegisterBroker().getRegistration().getBrokerId() < 0
                        ? Errors.of(ErrorCode.INVALID_REQUEST, "negative broker id")
                        : Errors.NONE;
            case FENCE_BROKER: {
                FenceBrokerRecord r = record.getFenceBroker();
                return checkIncarnation(r.getBrokerId(), r.getIncarnationId());
            }
            case UNFENCE_BROKER: {
                UnfenceBrokerRecord r = record.getUnfenceBroker();
                return checkIncarnation(r.getBrokerId(), r.getIncarnationId());
            }
            case CREATE_TOPIC:
                return checkCreate(record.getCreateTopic());
            case DELETE_TOPIC: {
                DeleteTopicRecord r = record.getDeleteTopic();
                return checkTopicExists(r.getName(), r.getTopicId());
            }
            case PARTITION_CHANGE:
                return checkPartitionChange(record.getPartitionChange(), touchedPartitions);
            case TOPIC_CONFIG_CHANGE: {
                TopicConfigChangeRecord r = record.getTopicConfigChange();
                return checkTopicExists(r.getName(), r.getTopicId());
            }
            case CREATE_PARTITIONS:
                return checkCreatePartitions(record.getCreatePartitions());
            case ACCESS_CONTROL_ENTRY:
                return checkAcl(record.getAccessControlEntry());
            case REMOVE_ACCESS_CONTROL_ENTRY: {
                RemoveAccessControlEntryRecord r = record.getRemoveAccessControlEntry();
                return acls.containsKey(r.getId())
                        ? Errors.NONE
                        : Errors.of(ErrorCode.INVALID_REQUEST, "no ACL has id '" + r.getId() + "'");
            }
            case USER_SCRAM_CREDENTIAL:
                return scramCredentials.check(record.getUserScramCredential());
            case REMOVE_USER_SCRAM_CREDENTIAL:
                return scramCredentials.check(record.getRemoveUserScramCredential());
            case CLIENT_QUOTA:
                return checkClientQuota(record.getClientQuota());
            case CLUSTER_ID:
                return checkClusterId(record.getClusterId().getClusterId());
            default:
                return Errors.of(ErrorCode.INVALID_REQUEST, "empty or unknown metadata record");
        }
    }

    /** Chosen once: a second choice (of a leader that had not seen the first) is refused. */
    private Error checkClusterId(String id) {
        if (!clusterId.isEmpty()) {
            return Errors.of(ErrorCode.INVALID_REQUEST, "the cluster already has id " + clusterId);
        }
        return ClusterIds.isValid(id)
                ? Errors.NONE
                : Errors.of(
                        ErrorCode.INVALID_REQUEST,
                        "a cluster id is 22 characters of URL-safe base64, not '" + id + "'");
    }

    /** A removal of an absent key is a no-op (an earlier record of the same command may have set it). */
    private static Error checkClientQuota(ClientQuotaRecord r) {
        return ClientQuotas.entityProblem(r.getEntity())
                .or(() -> ClientQuotas.valueProblem(r.getKey(), r.getRemove() ? 1 : r.getValue()))
                .map(problem -> Errors.of(ErrorCode.INVALID_REQUEST, "malformed client quota: " + problem))
                .orElse(Errors.NONE);
    }

    private Error checkAcl(AccessControlEntryRecord r) {
        if (r.getId().isEmpty() || acls.containsKey(r.getId())) {
            return Errors.of(ErrorCode.INVALID_REQUEST, "an ACL needs a new id, had '" + r.getId() + "'");
        }
        return AclControl.problem(r.getBinding())
                .map(problem -> Errors.of(ErrorCode.INVALID_REQUEST, "malformed ACL: " + problem))
                .orElse(Errors.NONE);
    }

    /** Ids only move forward: a block decided from an older state would hand out ids again. */
    private Error checkProducerIds(ProducerIdsRecord r) {
        return r.getNextProducerId() > nextProducerId
                ? Errors.NONE
                : Errors.of(
                        ErrorCode.INVALID_REQUEST,
                        "producer ids below " + nextProducerId + " are handed out already; a block ending at "
                                + r.getNextProducerId() + " would hand some out again");
    }

    private Error checkTopicExists(String name, String topicId) {
        TopicRecord topic = topics.get(name);
        return topic != null && topic.getTopicId().equals(topicId)
                ? Errors.NONE
                : Errors.of(ErrorCode.UNKNOWN_TOPIC, "topic " + name + " (id " + topicId + ") does not exist");
    }

    private Error checkIncarnation(int brokerId, String incarnationId) {
        BrokerRegistration broker = brokers.get(brokerId);
        if (broker == null) {
            return Errors.of(ErrorCode.UNKNOWN_BROKER, "broker " + brokerId + " is not registered");
        }
        if (!broker.getIncarnationId().equals(incarnationId)) {
            return Errors.of(
                    ErrorCode.BROKER_FENCED,
                    "broker " + brokerId + " is registered with incarnation " + broker.getIncarnationId() + ", not "
                            + incarnationId);
        }
        return Errors.NONE;
    }

    private Error checkCreate(CreateTopicRecord r) {
        TopicRecord topic = r.getTopic();
        if (topics.containsKey(topic.getName())) {
            return Errors.of(ErrorCode.TOPIC_ALREADY_EXISTS, "topic " + topic.getName() + " already exists");
        }
        if (r.getPartitionsCount() != topic.getPartitionCount() || topic.getPartitionCount() <= 0) {
            return Errors.of(
                    ErrorCode.INVALID_PARTITIONS,
                    "topic " + topic.getName() + " declares " + topic.getPartitionCount() + " partitions but carries "
                            + r.getPartitionsCount());
        }
        for (int i = 0; i < r.getPartitionsCount(); i++) {
            PartitionRecord p = r.getPartitions(i);
            if (p.getPartition() != i
                    || !p.getTopic().equals(topic.getName())
                    || !p.getTopicId().equals(topic.getTopicId())
                    || !wellFormed(p)) {
                return Errors.of(ErrorCode.INVALID_REQUEST, "malformed partition " + i + " of " + topic.getName());
            }
        }
        return Errors.NONE;
    }

    private Error checkCreatePartitions(CreatePartitionsRecord r) {
        Error exists = checkTopicExists(r.getName(), r.getTopicId());
        if (!Errors.isOk(exists)) {
            return exists;
        }
        int next = partitions.get(r.getName()).length;
        if (r.getPartitionsCount() == 0) {
            return Errors.of(ErrorCode.INVALID_PARTITIONS, "no partitions to add to " + r.getName());
        }
        for (PartitionRecord p : r.getPartitionsList()) {
            if (p.getPartition() != next++
                    || !p.getTopic().equals(r.getName())
                    || !p.getTopicId().equals(r.getTopicId())
                    || !wellFormed(p)) {
                return Errors.of(
                        ErrorCode.INVALID_REQUEST,
                        "malformed new partition " + p.getPartition() + " of " + r.getName());
            }
        }
        return Errors.NONE;
    }

    private Error checkPartitionChange(PartitionChangeRecord r, Set<String> touchedPartitions) {
        PartitionRecord next = r.getPartition();
        PartitionRecord[] current = partitions.get(next.getTopic());
        TopicRecord topic = topics.get(next.getTopic());
        String key = next.getTopic() + "-" + next.getPartition();
        if (current == null
                || topic == null
                || !topic.getTopicId().equals(next.getTopicId())
                || next.getPartition() < 0
                || next.getPartition() >= current.length) {
            return Errors.of(ErrorCode.UNKNOWN_PARTITION, "partition " + key + " does not exist");
        }
        PartitionRecord now = current[next.getPartition()];
        if (now.getPartitionEpoch() != r.getExpectedPartitionEpoch()) {
            return Errors.of(
                    ErrorCode.STALE_PARTITION_EPOCH,
                    "partition " + key + " is at partition epoch " + now.getPartitionEpoch() + ", the change expected "
                            + r.getExpectedPartitionEpoch());
        }
        if (!touchedPartitions.add(key)
                || !wellFormed(next)
                || !next.getReplicasList().equals(now.getReplicasList())
                || next.getPartitionEpoch() <= now.getPartitionEpoch()
                || next.getLeaderEpoch() < now.getLeaderEpoch()) {
            return Errors.of(ErrorCode.INVALID_REQUEST, "malformed change of partition " + key);
        }
        return Errors.NONE;
    }

    /** Replicas distinct and non-empty, ISR within replicas, leader none or in the ISR. */
    private static boolean wellFormed(PartitionRecord p) {
        Set<Integer> replicas = new HashSet<>(p.getReplicasList());
        return !replicas.isEmpty()
                && replicas.size() == p.getReplicasCount()
                && replicas.containsAll(p.getIsrList())
                && new HashSet<>(p.getIsrList()).size() == p.getIsrCount()
                && (p.getLeader() == PartitionChangeBuilder.NO_LEADER
                        || p.getIsrList().contains(p.getLeader()));
    }

    private void replay(MetadataRecord record) {
        switch (record.getRecordCase()) {
            case REGISTER_BROKER: {
                BrokerRegistration reg = record.getRegisterBroker().getRegistration();
                brokers.put(reg.getBrokerId(), reg);
                break;
            }
            case FENCE_BROKER: {
                int id = record.getFenceBroker().getBrokerId();
                brokers.put(id, brokers.get(id).toBuilder().setFenced(true).build());
                break;
            }
            case UNFENCE_BROKER: {
                int id = record.getUnfenceBroker().getBrokerId();
                brokers.put(id, brokers.get(id).toBuilder().setFenced(false).build());
                break;
            }
            case CREATE_TOPIC: {
                CreateTopicRecord r = record.getCreateTopic();
                topics.put(r.getTopic().getName(), r.getTopic());
                partitions.put(r.getTopic().getName(), r.getPartitionsList().toArray(new PartitionRecord[0]));
                r.getPartitionsList().forEach(p -> count(p, 1));
                break;
            }
            case DELETE_TOPIC:
                topics.remove(record.getDeleteTopic().getName());
                for (PartitionRecord p :
                        partitions.remove(record.getDeleteTopic().getName())) {
                    count(p, -1);
                }
                break;
            case PARTITION_CHANGE: {
                PartitionRecord p = record.getPartitionChange().getPartition();
                PartitionRecord[] ps = partitions.get(p.getTopic());
                count(ps[p.getPartition()], -1);
                ps[p.getPartition()] = p;
                count(p, 1);
                break;
            }
            case TOPIC_CONFIG_CHANGE: {
                TopicConfigChangeRecord r = record.getTopicConfigChange();
                topics.put(
                        r.getName(),
                        topics.get(r.getName()).toBuilder()
                                .clearConfigs()
                                .putAllConfigs(r.getConfigsMap())
                                .build());
                break;
            }
            case CREATE_PARTITIONS: {
                CreatePartitionsRecord r = record.getCreatePartitions();
                List<PartitionRecord> all = new ArrayList<>(Arrays.asList(partitions.get(r.getName())));
                all.addAll(r.getPartitionsList());
                partitions.put(r.getName(), all.toArray(new PartitionRecord[0]));
                topics.put(
                        r.getName(),
                        topics.get(r.getName()).toBuilder()
                                .setPartitionCount(all.size())
                                .build());
                r.getPartitionsList().forEach(p -> count(p, 1));
                break;
            }
            case ACCESS_CONTROL_ENTRY:
                acls.put(record.getAccessControlEntry().getId(), record.getAccessControlEntry());
                break;
            case REMOVE_ACCESS_CONTROL_ENTRY:
                acls.remove(record.getRemoveAccessControlEntry().getId());
                break;
            case USER_SCRAM_CREDENTIAL:
                scramCredentials.replay(record.getUserScramCredential());
                break;
            case REMOVE_USER_SCRAM_CREDENTIAL:
                scramCredentials.replay(record.getRemoveUserScramCredential());
                break;
            case CLIENT_QUOTA:
                applyClientQuota(record.getClientQuota());
                break;
            case CLUSTER_ID:
                clusterId = record.getClusterId().getClusterId();
                break;
            default:
                throw new IllegalStateException("unchecked record " + record.getRecordCase());
        }
    }

    private void applyClientQuota(ClientQuotaRecord r) {
        ClientQuotaEntity entity = ClientQuotas.canonical(r.getEntity());
        if (!r.getRemove()) {
            clientQuotas.computeIfAbsent(entity, e -> new TreeMap<>()).put(r.getKey(), r.getValue());
            return;
        }
        TreeMap<String, Double> values = clientQuotas.get(entity);
        if (values != null) {
            values.remove(r.getKey());
            if (values.isEmpty()) {
                clientQuotas.remove(entity);
            }
        }
    }

    private void count(PartitionRecord p, int delta) {
        for (int r : p.getReplicasList()) {
            counts.computeIfAbsent(r, k -> new int[2])[0] += delta;
        }
        if (p.getLeader() != PartitionChangeBuilder.NO_LEADER) {
            counts.computeIfAbsent(p.getLeader(), k -> new int[2])[1] += delta;
        }
    }

    /** Replaces the whole state with a snapshot's; the recent-record log restarts empty. */
    public synchronized void load(ControllerSnapshot snapshot) {
        MetadataImage image = snapshot.getImage();
        completed.load(snapshot.getCompletedRequestsList());
        nextProducerId = snapshot.getNextProducerId();
        brokers.clear();
        topics.clear();
        partitions.clear();
        acls.clear();
        clientQuotas.clear();
        recent.clear();
        counts.clear();
        for (BrokerRegistration b : image.getBrokersList()) {
            brokers.put(b.getBrokerId(), b);
        }
        for (TopicRecord t : image.getTopicsList()) {
            topics.put(t.getName(), t);
            partitions.put(t.getName(), new PartitionRecord[t.getPartitionCount()]);
        }
        for (PartitionRecord p : image.getPartitionsList()) {
            partitions.get(p.getTopic())[p.getPartition()] = p;
            count(p, 1);
        }
        for (AccessControlEntryRecord acl : image.getAclsList()) {
            acls.put(acl.getId(), acl);
        }
        scramCredentials.load(image.getScramCredentialsList());
        image.getClientQuotasList().forEach(this::applyClientQuota);
        clusterId = image.getClusterId();
        version = image.getVersion();
    }

    /**
     * The whole metadata, in a canonical order (brokers by id, topics by name, partitions by index, ACLs by
     * id, SCRAM credentials by user, then mechanism, client quotas by entity and key).
     */
    public synchronized MetadataImage image() {
        MetadataImage.Builder b = MetadataImage.newBuilder()
                .setVersion(version)
                .setClusterId(clusterId)
                .addAllBrokers(brokers.values())
                .addAllTopics(topics.values());
        for (PartitionRecord[] ps : partitions.values()) {
            b.addAllPartitions(Arrays.asList(ps));
        }
        b.addAllAcls(acls.values()).addAllScramCredentials(scramCredentials.all());
        clientQuotas.forEach((entity, values) -> values.forEach((key, value) -> b.addClientQuotas(
                ClientQuotaRecord.newBuilder().setEntity(entity).setKey(key).setValue(value))));
        return b.build();
    }

    /** Everything a snapshot must hold: the image, the remembered requests and the next producer id. */
    public synchronized ControllerSnapshot snapshot() {
        return ControllerSnapshot.newBuilder()
                .setImage(image())
                .addAllCompletedRequests(completed.all())
                .setNextProducerId(nextProducerId)
                .build();
    }

    /** The first producer id no broker was given yet. */
    public synchronized long nextProducerId() {
        return nextProducerId;
    }

    /** The request committed under {@code idempotencyKey}, with its answer, while it is remembered. */
    public synchronized Optional<CompletedRequest> completedRequest(String idempotencyKey) {
        return completed.find(idempotencyKey);
    }

    /**
     * The records after {@code sinceVersion}, or the whole image when they are no longer all held.
     * A caller ahead of this state (it read from a more up-to-date controller) gets no records and
     * this state's lower version, which tells it this answer is stale.
     */
    public synchronized FetchMetadataResponse changesSince(long sinceVersion) {
        FetchMetadataResponse.Builder b =
                FetchMetadataResponse.newBuilder().setError(Errors.NONE).setMetadataVersion(version);
        if (sinceVersion >= version) {
            return b.build();
        }
        long oldestHeld = recent.isEmpty() ? version + 1 : recent.peekFirst().getVersion();
        if (sinceVersion < 0 || sinceVersion + 1 < oldestHeld) {
            return b.setImage(image()).build();
        }
        for (VersionedRecord r : recent) {
            if (r.getVersion() > sinceVersion) {
                b.addRecords(r);
            }
        }
        return b.build();
    }

    /** Every ACL, by id. */
    public synchronized List<AccessControlEntryRecord> acls() {
        return List.copyOf(acls.values());
    }

    /** Every SCRAM credential, by user name, then mechanism. */
    public synchronized List<UserScramCredentialRecord> scramCredentials() {
        return scramCredentials.all();
    }

    /** {@code user}'s credential for the mechanism of that SASL name, if it has one. */
    public synchronized Optional<UserScramCredentialRecord> scramCredential(String user, String mechanism) {
        return scramCredentials.find(user, mechanism);
    }

    /** Every client quota: entity → key → value, entities in {@link ClientQuotas#ORDER}; a copy. */
    public synchronized Map<ClientQuotaEntity, Map<String, Double>> clientQuotas() {
        Map<ClientQuotaEntity, Map<String, Double>> copy = new TreeMap<>(ClientQuotas.ORDER);
        clientQuotas.forEach((entity, values) -> copy.put(entity, Collections.unmodifiableMap(new TreeMap<>(values))));
        return copy;
    }

    /** The cluster's id; empty until the first active controller chose it. */
    public synchronized String clusterId() {
        return clusterId;
    }

    public synchronized long version() {
        return version;
    }

    public synchronized Optional<BrokerRegistration> broker(int brokerId) {
        return Optional.ofNullable(brokers.get(brokerId));
    }

    public synchronized List<BrokerRegistration> brokers() {
        return List.copyOf(brokers.values());
    }

    public synchronized Optional<TopicRecord> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public synchronized List<TopicRecord> topics() {
        return List.copyOf(topics.values());
    }

    /** The partitions of a topic by index; empty when the topic does not exist. */
    public synchronized List<PartitionRecord> partitions(String topic) {
        PartitionRecord[] ps = partitions.get(topic);
        return ps == null ? List.of() : List.of(ps);
    }

    public synchronized Optional<PartitionRecord> partition(String topic, int partition) {
        PartitionRecord[] ps = partitions.get(topic);
        return ps == null || partition < 0 || partition >= ps.length ? Optional.empty() : Optional.of(ps[partition]);
    }

    /** Every partition of every topic, topics by name. */
    public synchronized List<PartitionRecord> allPartitions() {
        List<PartitionRecord> all = new ArrayList<>();
        for (PartitionRecord[] ps : partitions.values()) {
            all.addAll(Arrays.asList(ps));
        }
        return all;
    }

    /** Partitions with no leader. */
    public synchronized int offlinePartitionCount() {
        int n = 0;
        for (PartitionRecord[] ps : partitions.values()) {
            for (PartitionRecord p : ps) {
                if (p.getLeader() == PartitionChangeBuilder.NO_LEADER) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Per broker id, how many replicas and how many leaderships it holds (for placement); a copy. */
    public synchronized Map<Integer, int[]> replicaAndLeaderCounts() {
        Map<Integer, int[]> copy = new TreeMap<>();
        counts.forEach((id, c) -> copy.put(id, c.clone()));
        return copy;
    }
}
