package io.ferry.node.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.node.FerryNode;
import io.ferry.proto.v1.BrokerServiceGrpc.BrokerServiceBlockingStub;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.InitProducerIdRequest;
import io.ferry.proto.v1.InitProducerIdResponse;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** InitProducerId through a real node's gRPC port, with ids from blocks its controller hands out. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InitProducerIdTest {
    /** More ids than one block of the controller's holds (1000), so the broker needs a second block. */
    private static final int PRODUCERS = 1_001;

    @TempDir
    static Path dir;

    private FerryNode node;
    private ManagedChannel channel;

    @BeforeAll
    void startNode() throws Exception {
        node = BrokerTestSupport.start(BrokerTestSupport.freePort(), dir.resolve("logs"));
        channel = BrokerTestSupport.channel(node);
    }

    @AfterAll
    void stopNode() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    @Test
    void everyProducerGetsAnIdOfItsOwnAtEpochZeroAcrossBlocks() {
        BrokerServiceBlockingStub stub = BrokerTestSupport.stub(channel);
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < PRODUCERS; i++) {
            InitProducerIdResponse r = stub.initProducerId(InitProducerIdRequest.newBuilder()
                    .setTransactionTimeoutMs(60_000)
                    .build());
            assertEquals(ErrorCode.NONE, r.getError().getCode(), r.toString());
            assertEquals(0, r.getProducerEpoch());
            assertTrue(r.getProducerId() >= 0, r.toString());
            assertTrue(ids.add(r.getProducerId()), "id " + r.getProducerId() + " handed out twice");
        }
    }

    @Test
    void aTransactionalProducerIsRefusedSayingTransactionsAreNotSupported() {
        InitProducerIdResponse r = BrokerTestSupport.stub(channel)
                .initProducerId(InitProducerIdRequest.newBuilder()
                        .setTransactionalId("orders-tx")
                        .build());
        assertEquals(ErrorCode.INVALID_REQUEST, r.getError().getCode());
        assertTrue(
                r.getError().getMessage().contains("does not support transactions"),
                r.getError().getMessage());
        assertEquals(-1, r.getProducerId());
    }

    @Test
    void aNegativeTransactionTimeoutIsRefusedNamingTheField() {
        InitProducerIdResponse r = BrokerTestSupport.stub(channel)
                .initProducerId(InitProducerIdRequest.newBuilder()
                        .setTransactionTimeoutMs(-1)
                        .build());
        assertEquals(ErrorCode.INVALID_REQUEST, r.getError().getCode());
        assertTrue(
                r.getError().getMessage().contains("transaction_timeout_ms"),
                r.getError().getMessage());
    }
}
