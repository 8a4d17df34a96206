package io.ferry.controller.internal;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.ferry.proto.v1.Error;
import io.ferry.proto.v1.ErrorCode;

/** Builds the {@link Error} messages responses carry. */
public final class Errors {
    /** The error every successful response carries. */
    public static final Error NONE = Error.newBuilder().setCode(ErrorCode.NONE).build();

    private Errors() {}

    public static Error of(ErrorCode code, String message) {
        return Error.newBuilder().setCode(code).setMessage(message).build();
    }

    public static boolean isOk(Error error) {
        return error.getCode() == ErrorCode.NONE;
    }

    /**
     * A response of {@code like}'s type carrying only {@code error}: how a request that failed as a whole is
     * answered. The controller's responses have the field {@code Error error} for that; the generated messages
     * share no interface to set it through.
     *
     * @throws IllegalArgumentException if {@code like}'s type has no such field
     */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T responseLike(T like, Error error) {
        FieldDescriptor field = like.getDescriptorForType().findFieldByName("error");
        if (field == null) {
            throw new IllegalArgumentException(like.getDescriptorForType().getFullName() + " has no error field");
        }
        return (T) like.newBuilderForType().setField(field, error).build();
    }
}
