package io.ferry.node.internal.broker.wire;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * A generated service definition with some methods bound again, to other marshallers (requests received into
 * direct buffers, or refused in a typed way when they do not parse). Method names, the wire format and the
 * schema descriptor (for server reflection) stay the generated ones. Pure functions.
 */
public final class ServiceRebinding {

    private ServiceRebinding() {}

    /**
     * {@code generated} with each method of the same full name as one of {@code replacements} replaced by it.
     */
    public static ServerServiceDefinition replacing(
            ServerServiceDefinition generated, List<ServerMethodDefinition<?, ?>> replacements) {
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
            String name = method.getMethodDescriptor().getFullMethodName();
            methods.add(replacements.stream()
                    .filter(r -> r.getMethodDescriptor().getFullMethodName().equals(name))
                    .findFirst()
                    .orElse(method));
        }
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(
                        generated.getServiceDescriptor().getName())
                .setSchemaDescriptor(generated.getServiceDescriptor().getSchemaDescriptor());
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(definition::addMethod);
        return definition.build();
    }
}
