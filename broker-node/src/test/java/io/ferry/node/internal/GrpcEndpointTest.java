package io.ferry.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ferry.config.HostPort;
import io.ferry.node.Utf8Marshaller;
import io.ferry.node.internal.caller.CallerPrincipal;
import io.ferry.security.SslPrincipalMapper;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocalThread;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a call runs: a method the roles name as non-blocking on the transport's thread that read it, every
 * other method on the node's executor.
 */
class GrpcEndpointTest {

    private static final String EXECUTOR_THREAD = "test-grpc-executor";

    private final ExecutorService executor = Executors.newCachedThreadPool(r -> new Thread(r, EXECUTOR_THREAD));
    private GrpcEndpoint endpoint;
    private ManagedChannel channel;

    @AfterEach
    void close() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (endpoint != null) {
            endpoint.awaitStop(0);
        }
        executor.shutdownNow();
    }

    private static MethodDescriptor<String, String> method(String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("ferry.test.Where", name))
                .setRequestMarshaller(new Utf8Marshaller())
                .setResponseMarshaller(new Utf8Marshaller())
                .build();
    }

    /** Answers with the thread the handler ran on, and whether it is one of Netty's event loop threads. */
    private static ServerCalls.UnaryMethod<String, String> thread() {
        return (request, response) -> {
            Thread current = Thread.currentThread();
            response.onNext(current.getName() + " transport=" + (current instanceof FastThreadLocalThread));
            response.onCompleted();
        };
    }

    private String call(MethodDescriptor<String, String> method) {
        return ClientCalls.blockingUnaryCall(
                channel, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "");
    }

    @Test
    void aTransportMethodRunsWhereItWasReadAndEveryOtherOnTheExecutor() throws Exception {
        MethodDescriptor<String, String> onTransport = method("OnTransport");
        MethodDescriptor<String, String> onExecutor = method("OnExecutor");
        ServerServiceDefinition where = ServerServiceDefinition.builder("ferry.test.Where")
                .addMethod(onTransport, ServerCalls.asyncUnaryCall(thread()))
                .addMethod(onExecutor, ServerCalls.asyncUnaryCall(thread()))
                .build();
        endpoint = GrpcEndpoint.start(
                new GrpcEndpoint.Listener(new HostPort("127.0.0.1", 0), Optional.empty()),
                Optional.empty(),
                List.of(where),
                1 << 20,
                10,
                executor,
                Set.of(onTransport.getFullMethodName()),
                new CallerPrincipal(SslPrincipalMapper.parse("DEFAULT")));
        channel = Grpc.newChannelBuilderForAddress(
                        "127.0.0.1", endpoint.address().getPort(), InsecureChannelCredentials.create())
                .build();

        for (int i = 0; i < 3; i++) {
            assertEquals(EXECUTOR_THREAD + " transport=false", call(onExecutor));
            String transport = call(onTransport);
            assertTrue(transport.endsWith(" transport=true"), transport);
            assertFalse(transport.startsWith(EXECUTOR_THREAD), transport);
        }
    }
}
