package io.ferry.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.proto.v1.CreateTopicRequest;
import io.ferry.proto.v1.ErrorCode;
import org.junit.jupiter.api.Test;

class TopicValidationTest {
  @Test
  void acceptsLegalNames() {
    for (String name : new String[] {"a", "orders.v1", "A_b-c.9", "x".repeat(249), "..."}) {
      assertEquals(ErrorCode.NONE, TopicValidation.checkName(name).getCode(), name);
    }
  }

  @Test
  void refusesNamesThatCouldEscapeTheLogDirectory() {
    for (String name : new String[] {"", ".", "..", "../etc", "a/b", "a b", "é", "x".repeat(250), "a\u0000b"}) {
      assertEquals(ErrorCode.INVALID_TOPIC, TopicValidation.checkName(name).getCode(), name);
    }
  }

  @Test
  void refusesBadCountsAndConfigs() {
    CreateTopicRequest ok = CreateTopicRequest.newBuilder().setName("t").setPartitionCount(1).setReplicationFactor(1)
        .build();
    assertEquals(ErrorCode.NONE, TopicValidation.checkCreate(ok).getCode());
    assertEquals(ErrorCode.INVALID_PARTITIONS,
        TopicValidation.checkCreate(ok.toBuilder().setPartitionCount(-3).build()).getCode());
    assertEquals(ErrorCode.INVALID_PARTITIONS,
        TopicValidation.checkCreate(ok.toBuilder().setPartitionCount(Integer.MAX_VALUE).build()).getCode());
    assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR,
        TopicValidation.checkCreate(ok.toBuilder().setReplicationFactor(0).build()).getCode());
    assertEquals(ErrorCode.INVALID_REQUEST,
        TopicValidation.checkCreate(ok.toBuilder().putConfigs("", "v").build()).getCode());
  }
}
