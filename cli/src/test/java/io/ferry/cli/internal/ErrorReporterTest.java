package io.ferry.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ferry.client.FerryConfigException;
import io.ferry.client.FerryException;
import io.ferry.client.FerryTimeoutException;
import io.ferry.client.FerryTransportException;
import io.ferry.proto.v1.ErrorCode;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class ErrorReporterTest {

    @Test
    void brokerErrorsShowCodeAndMessage() {
        assertEquals(
                "UNKNOWN_TOPIC: topic 'x' does not exist",
                ErrorReporter.describe(new FerryException(ErrorCode.UNKNOWN_TOPIC, "topic 'x' does not exist")));
        assertEquals(ErrorReporter.FAILURE, ErrorReporter.exitCode(new FerryException(ErrorCode.NOT_LEADER, "m")));
    }

    @Test
    void usageAndConfigurationProblemsAreUsageErrors() {
        assertEquals("bad key", ErrorReporter.describe(new FerryConfigException("bad key")));
        assertEquals(ErrorReporter.USAGE, ErrorReporter.exitCode(new FerryConfigException("bad key")));
        assertEquals(ErrorReporter.USAGE, ErrorReporter.exitCode(new UsageException("no")));
    }

    @Test
    void anUnreachableBrokerIsOneShortLineWithAHint() {
        FerryTransportException transport = new FerryTransportException(
                "describe cluster: broker 127.0.0.1:1 failed: "
                        + "Status{code=UNAVAILABLE, description=io exception, cause=io.grpc.netty.shaded.io.netty.channel."
                        + "AbstractChannel$AnnotatedConnectException: finishConnect(..) failed with error(-111): Connection "
                        + "refused: /127.0.0.1:1\nCaused by: java.net.ConnectException: ...\n\tat x.y(Z.java:1)\n}",
                new RuntimeException(
                        "UNAVAILABLE",
                        new ConnectException("finishConnect(..) failed with error(-111): Connection refused")));
        FerryTimeoutException timeout = new FerryTimeoutException(
                "describe cluster did not succeed within " + "default.api.timeout.ms (400 ms); last error: "
                        + transport.getMessage(),
                transport);
        assertEquals(
                "REQUEST_TIMED_OUT: describe cluster did not succeed within default.api.timeout.ms (400 ms); "
                        + "last error: describe cluster: broker 127.0.0.1:1 failed: UNAVAILABLE: io exception "
                        + "(Connection refused); is a Ferry broker listening there? (see --bootstrap)",
                ErrorReporter.describe(timeout));
    }

    @Test
    void aDeadlineWithoutCauseKeepsItsDescription() {
        FerryTransportException transport = new FerryTransportException(
                "describe cluster: broker h:1 failed: "
                        + "Status{code=DEADLINE_EXCEEDED, description=CallOptions deadline exceeded after 0.18s. "
                        + "[closed=[], open=[[delay=1ns, was_still_waiting]]], cause=null}",
                new RuntimeException("DEADLINE_EXCEEDED: CallOptions deadline exceeded"));
        assertEquals(
                "describe cluster: broker h:1 failed: DEADLINE_EXCEEDED: CallOptions deadline exceeded after "
                        + "0.18s. [closed=[], open=[[delay=1ns, was_still_waiting]]]; is a Ferry broker listening there? "
                        + "(see --bootstrap)",
                ErrorReporter.describe(transport));
    }

    @Test
    void otherFailuresNameTheirType() {
        assertEquals("IllegalStateException: closed", ErrorReporter.describe(new IllegalStateException("closed")));
        assertEquals("NullPointerException", ErrorReporter.describe(new NullPointerException()));
    }
}
