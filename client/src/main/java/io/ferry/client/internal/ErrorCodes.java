package io.ferry.client.internal;

import io.ferry.proto.v1.ErrorCode;
import io.ferry.proto.v1.Errors;
import java.util.EnumMap;
import java.util.Map;

/**
 * Retriability of each {@link ErrorCode}, read once from the {@code retriable} enum-value option in
 * {@code errors.proto}, so the proto stays the only list. Immutable after class initialisation.
 */
public final class ErrorCodes {

    private static final Map<ErrorCode, Boolean> RETRIABLE = readRetriable();

    private ErrorCodes() {}

    public static boolean isRetriable(ErrorCode code) {
        return code != null && RETRIABLE.getOrDefault(code, false);
    }

    private static Map<ErrorCode, Boolean> readRetriable() {
        Map<ErrorCode, Boolean> map = new EnumMap<>(ErrorCode.class);
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.UNRECOGNIZED) {
                map.put(code, code.getValueDescriptor().getOptions().getExtension(Errors.retriable));
            }
        }
        return map;
    }
}
