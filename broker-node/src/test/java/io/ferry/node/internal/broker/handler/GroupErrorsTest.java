package io.ferry.node.internal.broker.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.group.GroupError;
import io.ferry.node.internal.broker.group.CoordinatorException;
import io.ferry.proto.v1.ErrorCode;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class GroupErrorsTest {

    @Test
    void everyErrorOfTheGroupLogicHasTheApiCodeOfItsName() {
        for (GroupError error : GroupError.values()) {
            assertEquals(error.name(), GroupErrors.code(error).name(), "errors.proto lacks " + error);
        }
    }

    @Test
    void aCoordinatorFailureKeepsItsCodeAndMessageThroughTheFuture() {
        CoordinatorException moved = new CoordinatorException(ErrorCode.NOT_COORDINATOR, "leadership moved");
        assertEquals(
                ErrorCode.NOT_COORDINATOR,
                GroupErrors.of(new CompletionException(moved)).getCode());
        assertEquals("leadership moved", GroupErrors.of(moved).getMessage());
        assertEquals(
                ErrorCode.UNKNOWN_SERVER_ERROR,
                GroupErrors.of(new IllegalStateException("bug")).getCode());
    }
}
