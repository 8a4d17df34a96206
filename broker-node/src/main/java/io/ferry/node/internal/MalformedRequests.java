package io.ferry.node.internal;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a request whose bytes do not parse with INVALID_ARGUMENT naming the method and the reason
 * ({@code ferry.v1.BrokerService/Produce: the request does not parse: While parsing a protocol
 * message, the input ended unexpectedly ...}). grpc-java parses requests before any service code runs
 * and answers a marshaller that throws with {@code UNKNOWN: Application error processing RPC}, which
 * tells the caller nothing. Here each method takes the raw message stream and parses it with its own
 * marshaller inside the call, where a failure can be answered; the bytes parsed are the same, so the
 * produce path's own marshaller still reads straight from the transport's buffers.
 *
 * <p>On a stream, the first message that does not parse ends the call; answers the service sends
 * afterwards are dropped, as for a call the client cancelled.
 */
final class MalformedRequests {

    private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    };

    private MalformedRequests() {}

    /** {@code service} with every method parsing its requests inside the call. */
    static ServerServiceDefinition answeredClearly(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder descriptor =
                ServiceDescriptor.newBuilder(original.getName()).setSchemaDescriptor(original.getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> raw = parsedInCall(method);
            descriptor.addMethod(raw.getMethodDescriptor());
            methods.add(raw);
        }
        // A service definition insists its methods are its descriptor's own instances, hence a new descriptor.
        ServerServiceDefinition.Builder wrapped = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(wrapped::addMethod);
        return wrapped.build();
    }

    private static <Q, R> ServerMethodDefinition<InputStream, R> parsedInCall(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> parsing = method.getMethodDescriptor();
        MethodDescriptor<InputStream, R> raw =
                parsing.toBuilder(RAW, parsing.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        ServerCallHandler<InputStream, R> parsingHandler = (call, headers) -> {
            RefusableCall<Q, R> refusable = new RefusableCall<>(call, parsing);
            ServerCall.Listener<Q> delegate = handler.startCall(refusable, headers);
            return new ServerCall.Listener<InputStream>() {
                @Override
                public void onMessage(InputStream message) {
                    if (refusable.refused()) {
                        return;
                    }
                    Q parsed;
                    try {
                        parsed = parsing.parseRequest(message);
                    } catch (RuntimeException e) {
                        refusable.refuse(parsing.getFullMethodName() + ": the request does not parse: " + reason(e));
                        return;
                    }
                    delegate.onMessage(parsed);
                }

                @Override
                public void onHalfClose() {
                    if (!refusable.refused()) {
                        delegate.onHalfClose();
                    }
                }

                @Override
                public void onCancel() {
                    delegate.onCancel();
                }

                @Override
                public void onComplete() {
                    delegate.onComplete();
                }

                @Override
                public void onReady() {
                    delegate.onReady();
                }
            };
        };
        return ServerMethodDefinition.create(raw, parsingHandler);
    }

    /**
     * The parser's own words: the description of the status a marshaller threw (grpc-java's says only
     * "Invalid protobuf byte sequence") followed by protobuf's reason, when it does not already hold it.
     */
    private static String reason(RuntimeException e) {
        String description =
                e instanceof StatusRuntimeException s ? s.getStatus().getDescription() : null;
        String cause = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
        if (description == null) {
            return String.valueOf(cause);
        }
        return cause == null || description.contains(cause) ? description : description + ": " + cause;
    }

    /**
     * The call as the service sees it (its own request type), which this class can close with
     * INVALID_ARGUMENT; after that, whatever the service sends is dropped. Synchronized because the
     * refusal comes on the call's thread while a streaming service may answer from others.
     */
    private static final class RefusableCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<InputStream, R> call;
        private final MethodDescriptor<Q, R> method;
        private boolean refused;

        RefusableCall(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> method) {
            this.call = call;
            this.method = method;
        }

        synchronized boolean refused() {
            return refused;
        }

        synchronized void refuse(String description) {
            if (!refused) {
                refused = true;
                call.close(Status.INVALID_ARGUMENT.withDescription(description), new Metadata());
            }
        }

        @Override
        public synchronized void request(int numMessages) {
            if (!refused) {
                call.request(numMessages);
            }
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!refused) {
                call.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!refused) {
                call.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!refused) {
                call.close(status, trailers);
            }
        }

        @Override
        public synchronized boolean isReady() {
            return !refused && call.isReady();
        }

        @Override
        public boolean isCancelled() {
            return call.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            call.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            call.setCompression(compressor);
        }

        @Override
        public void setOnReadyThreshold(int numBytes) {
            call.setOnReadyThreshold(numBytes);
        }

        @Override
        public Attributes getAttributes() {
            return call.getAttributes();
        }

        @Override
        public String getAuthority() {
            return call.getAuthority();
        }

        @Override
        public io.grpc.SecurityLevel getSecurityLevel() {
            return call.getSecurityLevel();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return method;
        }
    }
}
