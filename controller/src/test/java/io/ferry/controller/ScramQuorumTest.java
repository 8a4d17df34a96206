package io.ferry.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.AlterUserScramCredentialsRequest;
import io.ferry.proto.v1.AlterUserScramCredentialsResponse;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.FetchMetadataRequest;
import io.ferry.proto.v1.ScramCredentialDeletion;
import io.ferry.proto.v1.ScramCredentialUpsertion;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SCRAM credentials through a real quorum: committed, in the Raft snapshots, and back after every restart. */
class ScramQuorumTest {

    private static final ScramFunctions FUNCTIONS = new ScramFunctions(ScramMechanism.SCRAM_SHA_512);
    private static final String MECHANISM = ScramMechanism.SCRAM_SHA_512.mechanismName();

    private static AlterUserScramCredentialsResponse alter(
            ControllerCluster cluster, int node, AlterUserScramCredentialsRequest request) {
        AlterUserScramCredentialsResponse r = ControllerCluster.answered(
                () -> cluster.stub(node).alterUserScramCredentials(request),
                x -> x.getError().getCode());
        assertEquals(
                List.of(ErrorCode.NONE),
                r.getResultsList().stream().map(e -> e.getError().getCode()).toList(),
                r.toString());
        return r;
    }

    /** The credentials of the node's metadata image, by user name. */
    private static List<ScramCredential> stored(ControllerCluster cluster, int node) {
        return cluster
                .stub(node)
                .fetchMetadata(
                        FetchMetadataRequest.newBuilder().setSinceVersion(-1).build())
                .getImage()
                .getScramCredentialsList()
                .stream()
                .map(ScramProtos::credential)
                .toList();
    }

    @Test
    void credentialsSurviveSnapshotsAndARestartOfEveryController() throws Exception {
        try (ControllerCluster cluster = new ControllerCluster(3, c -> c.withSnapshotThreshold(8))) {
            int active = cluster.awaitActive();
            // Given: users created one command each, through a follower (forwarded), enough for snapshots.
            List<ScramCredential> created = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] salt = ScramFunctions.newSalt();
                String password = "secret-" + i;
                alter(
                        cluster,
                        cluster.follower(),
                        AlterUserScramCredentialsRequest.newBuilder()
                                .addUpsertions(ScramCredentialUpsertion.newBuilder()
                                        .setName(String.format("user-%02d", i))
                                        .setMechanism(MECHANISM)
                                        .setIterations(ScramMechanism.MIN_ITERATIONS)
                                        .setSalt(ByteString.copyFrom(salt))
                                        .setSaltedPassword(ByteString.copyFrom(FUNCTIONS.saltedPassword(
                                                password, salt, ScramMechanism.MIN_ITERATIONS))))
                                .build());
                created.add(FUNCTIONS.credential(password, salt, ScramMechanism.MIN_ITERATIONS));
            }
            await().atMost(ControllerCluster.AWAIT).until(() -> cluster.hasSnapshot(active));

            // When: every controller stops and starts again from its snapshot and log.
            cluster.restartEveryNode();

            // Then: every credential is back, and a deletion goes through the new active controller.
            int recovered = cluster.awaitActive();
            assertEquals(created, stored(cluster, recovered));
            alter(
                    cluster,
                    recovered,
                    AlterUserScramCredentialsRequest.newBuilder()
                            .addDeletions(ScramCredentialDeletion.newBuilder()
                                    .setName("user-00")
                                    .setMechanism(MECHANISM))
                            .build());
            assertEquals(created.subList(1, created.size()), stored(cluster, recovered));
        }
    }
}
