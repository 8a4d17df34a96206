package io.ferry.controller.internal;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/** Cluster ids in Kafka's form: the URL-safe base64, unpadded, of a random UUID's 16 bytes (22 characters). */
final class ClusterIds {

    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{22}");

    private ClusterIds() {}

    static String random() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes =
                ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    static boolean isValid(String id) {
        return FORM.matcher(id).matches();
    }
}
