package io.ferry.controller;

import com.google.protobuf.ByteString;
import io.ferry.proto.v1.UserScramCredentialRecord;
import io.ferry.security.scram.ScramCredential;
import io.ferry.security.scram.ScramMechanism;
import java.util.Arrays;

/**
 * Reads the credential records of {@code scram.proto} into the {@code security} module's {@link ScramCredential}
 * and writes them back. The controller writes its metadata with it; brokers read the credentials of their
 * metadata view with it.
 */
public final class ScramProtos {

    private ScramProtos() {}

    /**
     * The credential a record holds.
     *
     * @throws IllegalArgumentException naming the field, for an unknown mechanism or a value
     *     {@link ScramCredential} refuses
     */
    public static ScramCredential credential(UserScramCredentialRecord r) {
        return new ScramCredential(
                mechanism(r.getMechanism()),
                r.getSalt().toByteArray(),
                r.getStoredKey().toByteArray(),
                r.getServerKey().toByteArray(),
                r.getIterations());
    }

    /** The record of {@code user}'s credential. */
    public static UserScramCredentialRecord record(String user, ScramCredential c) {
        return UserScramCredentialRecord.newBuilder()
                .setName(user)
                .setMechanism(c.mechanism().mechanismName())
                .setSalt(ByteString.copyFrom(c.salt()))
                .setStoredKey(ByteString.copyFrom(c.storedKey()))
                .setServerKey(ByteString.copyFrom(c.serverKey()))
                .setIterations(c.iterations())
                .build();
    }

    /** The mechanism of a SASL name, refused with an exception naming the field when Ferry does not offer it. */
    public static ScramMechanism mechanism(String saslName) {
        return ScramMechanism.forMechanismName(saslName)
                .orElseThrow(() -> new IllegalArgumentException("mechanism: not a SCRAM mechanism this cluster offers"
                        + " " + Arrays.toString(ScramMechanism.values())));
    }
}
