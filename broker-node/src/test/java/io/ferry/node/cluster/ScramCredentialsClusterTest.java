package io.ferry.node.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ferry.client.AdminConfig;
import io.ferry.client.FerryAdmin;
import io.ferry.client.FerryException;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.ScramCredentialInfo;
import io.ferry.security.scram.ScramMechanism;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRAM credentials created and deleted through the brokers with FerryAdmin, forwarded to the active
 * controller, and the changes reaching every broker's metadata view, which each broker describes them from.
 */
class ScramCredentialsClusterTest {

    private static final ScramMechanism SHA_512 = ScramMechanism.SCRAM_SHA_512;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private InProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.fatalErrors.recorded(), "no node met an Error");
        }
    }

    private static ScramCredentialInfo info(int iterations) {
        return ScramCredentialInfo.newBuilder()
                .setMechanism(SHA_512.mechanismName())
                .setIterations(iterations)
                .build();
    }

    @Test
    void credentialsAreCreatedListedAndDeletedThroughBrokersAndReachEveryBroker() throws Exception {
        cluster = new InProcessCluster(dir, Map.of());
        try (FerryAdmin admin = cluster.admin()) {
            // When: two users get credentials through a broker.
            admin.upsertUserScramCredential("alice", SHA_512, 8192, "alice-secret");
            admin.upsertUserScramCredential("bob", SHA_512, ScramMechanism.MIN_ITERATIONS, "bob-secret");
            // Then: every broker's view lists them, with mechanism and iterations.
            awaitOnEveryBroker(
                    Map.of("alice", List.of(info(8192)), "bob", List.of(info(ScramMechanism.MIN_ITERATIONS))));

            FerryException refused = assertThrows(
                    FerryException.class,
                    () -> admin.upsertUserScramCredential("carol", SHA_512, 1000, "carol-secret"));
            assertEquals(ErrorCode.UNACCEPTABLE_CREDENTIAL, refused.code());

            // When: alice's credential is deleted.
            admin.deleteUserScramCredential("alice", SHA_512);
            // Then: only bob's is left, everywhere; deleting it again finds nothing.
            awaitOnEveryBroker(Map.of("bob", List.of(info(ScramMechanism.MIN_ITERATIONS))));
            assertEquals(
                    ErrorCode.RESOURCE_NOT_FOUND,
                    assertThrows(FerryException.class, () -> admin.deleteUserScramCredential("alice", SHA_512))
                            .code());
            assertEquals(
                    ErrorCode.RESOURCE_NOT_FOUND,
                    assertThrows(FerryException.class, () -> admin.describeUserScramCredentials(List.of("alice")))
                            .code());
        }
    }

    /** Each broker, asked alone, describes {@code expected} from its own metadata view once it caught up. */
    private void awaitOnEveryBroker(Map<String, List<ScramCredentialInfo>> expected) {
        for (String broker : cluster.bootstrapServers().split(",")) {
            try (FerryAdmin one = new FerryAdmin(AdminConfig.of(Map.of("bootstrap.servers", broker)))) {
                await().atMost(WAIT).until(() -> one.describeUserScramCredentials(List.of()), expected::equals);
            }
        }
    }
}
