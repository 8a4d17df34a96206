package io.ferry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ferry.proto.v1.BrokerHeartbeatRequest;
import io.ferry.proto.v1.BrokerHeartbeatResponse;
import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.CreateTopicResponse;
import io.ferry.proto.v1.DescribeClusterRequest;
import io.ferry.proto.v1.DescribeClusterResponse;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.RegisterBrokerRequest;
import org.junit.jupiter.api.Test;

class SingleNodeControllerTest {
  @Test
  void singleNodeRegistersBrokersAndCreatesTopics() throws Exception {
    try (ControllerCluster cluster = new ControllerCluster(1, c -> c)) {
      assertEquals(1, cluster.awaitActive());
      var stub = cluster.stub(1);
      assertEquals(ErrorCode.NONE, stub.registerBroker(RegisterBrokerRequest.newBuilder().setBrokerId(7)
          .setIncarnationId("a").addEndpoints(Endpoint.newBuilder().setName("grpc").setHost("127.0.0.1")
              .setPort(9092)).build()).getError().getCode());
      BrokerHeartbeatResponse hb = stub.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder().setBrokerId(7)
          .setIncarnationId("a").build());
      assertEquals(ErrorCode.NONE, hb.getError().getCode());
      assertFalse(hb.getFenced());
      CreateTopicResponse created = stub.createTopic(CreateTopicRequest.newBuilder().setName("orders")
          .setPartitionCount(3).setReplicationFactor(1).build());
      assertEquals(ErrorCode.NONE, created.getError().getCode(), created.getError().getMessage());
      DescribeClusterResponse d = stub.describeCluster(DescribeClusterRequest.getDefaultInstance());
      assertEquals(1, d.getControllerLeaderId());
      assertEquals(3, d.getPartitionsCount());
      assertEquals(7, d.getPartitions(0).getLeader());
    }
  }
}
