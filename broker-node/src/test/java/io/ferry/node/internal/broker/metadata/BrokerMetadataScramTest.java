package io.ferry.node.internal.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.controller.ScramProtos;
import io.ferry.proto.v1.FetchMetadataResponse;
import io.ferry.proto.v1.MetadataImage;
import io.ferry.proto.v1.MetadataRecord;
import io.ferry.proto.v1.RemoveUserScramCredentialRecord;
import io.ferry.proto.v1.VersionedRecord;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramFunctions;
import io.ferry.security.scram.ScramMechanism;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SCRAM credentials of a broker's metadata view, as records and images bring them. */
class BrokerMetadataScramTest {
    private static final ScramMechanism SHA_512 = ScramMechanism.SCRAM_SHA_512;

    private static ScramCredential credential(String password) {
        return new ScramFunctions(SHA_512)
                .credential(password, ScramFunctions.newSalt(), ScramMechanism.MIN_ITERATIONS);
    }

    private static FetchMetadataResponse records(long firstVersion, MetadataRecord... records) {
        FetchMetadataResponse.Builder response = FetchMetadataResponse.newBuilder();
        for (int i = 0; i < records.length; i++) {
            response.addRecords(
                    VersionedRecord.newBuilder().setVersion(firstVersion + i).setRecord(records[i]));
        }
        return response.setMetadataVersion(firstVersion + records.length - 1).build();
    }

    private static MetadataRecord upsert(String user, ScramCredential c) {
        return MetadataRecord.newBuilder()
                .setUserScramCredential(ScramProtos.record(user, c))
                .build();
    }

    @Test
    void recordsCreateReplaceAndRemoveAUsersCredential() {
        ScramCredential first = credential("one");
        ScramCredential second = credential("two");
        ScramCredential bob = credential("three");
        BrokerMetadata view = BrokerMetadata.EMPTY.apply(
                records(1, upsert("alice", first), upsert("bob", bob), upsert("alice", second)));
        assertEquals(Optional.of(second), view.scramCredential("alice", SHA_512));
        assertEquals(Optional.of(bob), view.scramCredential("bob", SHA_512));

        BrokerMetadata removed = view.apply(records(
                4,
                MetadataRecord.newBuilder()
                        .setRemoveUserScramCredential(RemoveUserScramCredentialRecord.newBuilder()
                                .setName("alice")
                                .setMechanism(SHA_512.mechanismName()))
                        .build()));
        assertTrue(removed.scramCredential("alice", SHA_512).isEmpty());
        assertEquals(Optional.of(bob), removed.scramCredential("bob", SHA_512));
        assertEquals(Optional.of(second), view.scramCredential("alice", SHA_512), "views are immutable");
    }

    @Test
    void anImageBringsEveryCredentialAndNothingElse() {
        ScramCredential alice = credential("a");
        BrokerMetadata stale = BrokerMetadata.EMPTY.apply(records(1, upsert("gone", credential("g"))));
        BrokerMetadata view = stale.apply(FetchMetadataResponse.newBuilder()
                .setMetadataVersion(7)
                .setImage(MetadataImage.newBuilder()
                        .setVersion(7)
                        .addScramCredentials(ScramProtos.record("alice", alice))
                        .addScramCredentials(ScramProtos.record("future", credential("f")).toBuilder()
                                .setMechanism("SCRAM-SHA-3-512")))
                .build());
        assertEquals(Optional.of(alice), view.scramCredential("alice", SHA_512));
        assertTrue(view.scramCredential("gone", SHA_512).isEmpty());
        assertTrue(view.scramCredential("future", SHA_512).isEmpty());
    }
}
