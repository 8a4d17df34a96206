package io.ferry.node;

import io.ferry.node.internal.NodeRole;
import io.ferry.node.internal.RoleHealth;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.util.List;

/**
 * A role for node lifecycle tests: records its lifecycle calls in a shared event list, serves a
 * one-method echo service (which throws an {@link OutOfMemoryError} when asked to echo
 * {@link #THROW_AN_ERROR}), and can be made unhealthy or to fail on start.
 */
final class TestRole implements NodeRole {

    static final String THROW_AN_ERROR = "throw an Error";

    static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("ferry.test.Echo", "Echo"))
            .setRequestMarshaller(new Utf8Marshaller())
            .setResponseMarshaller(new Utf8Marshaller())
            .build();

    private final ProcessRole role;
    private final List<String> events;
    private final boolean failOnStart;
    volatile boolean healthy = true;
    /** When set, close() blocks until it is counted down. */
    volatile java.util.concurrent.CountDownLatch closeBlocker;

    TestRole(ProcessRole role, List<String> events, boolean failOnStart) {
        this.role = role;
        this.events = events;
        this.failOnStart = failOnStart;
        events.add("create " + role.configName());
    }

    @Override
    public ProcessRole role() {
        return role;
    }

    /** The controller test role serves an echo service; the broker test role none. */
    @Override
    public List<ServerServiceDefinition> start() throws IOException {
        events.add("start " + role.configName());
        if (failOnStart) {
            throw new IOException("injected start failure");
        }
        if (role != ProcessRole.CONTROLLER) {
            return List.of();
        }
        return List.of(ServerServiceDefinition.builder("ferry.test.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    if (request.equals(THROW_AN_ERROR)) {
                        throw new OutOfMemoryError("injected on a request thread");
                    }
                    response.onNext("echo " + request);
                    response.onCompleted();
                }))
                .build());
    }

    @Override
    public RoleHealth health() {
        return healthy ? RoleHealth.UP : RoleHealth.down("made unhealthy by the test");
    }

    @Override
    public void close() {
        events.add("close " + role.configName());
        java.util.concurrent.CountDownLatch blocker = closeBlocker;
        if (blocker != null) {
            try {
                blocker.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
