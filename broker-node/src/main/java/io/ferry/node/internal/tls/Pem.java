package io.ferry.node.internal.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of the {@code ssl.*} keys (RFC 7468): a private key with its certificate chain, or
 * CA certificates. Stateless.
 */
final class Pem {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** The key algorithms a PKCS#8 key is tried as, in order. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

    /** A private key and the certificate chain that goes with it, the key's own certificate first. */
    record KeyAndChain(PrivateKey key, X509Certificate[] chain) {}

    private Pem() {}

    /** @throws GeneralSecurityException naming what is missing or malformed */
    static KeyAndChain keyAndChain(byte[] pem) throws GeneralSecurityException {
        PrivateKey key = null;
        List<X509Certificate> chain = new ArrayList<>();
        for (Block block : blocks(pem)) {
            switch (block.label()) {
                case "PRIVATE KEY" -> {
                    if (key != null) {
                        throw new GeneralSecurityException("expected one private key, found two");
                    }
                    key = privateKey(block.der());
                }
                case "CERTIFICATE" -> chain.add(certificate(block.der()));
                case "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" ->
                    throw new GeneralSecurityException(
                            "found a key in '" + block.label() + "' form; expected an unencrypted PKCS#8 key ('PRIVATE "
                                    + "KEY'), which `openssl pkcs8 -topk8 -nocrypt` converts it to");
                default -> {
                    // Parameters and other blocks some tools add: not needed.
                }
            }
        }
        if (key == null) {
            throw new GeneralSecurityException("expected a private key ('-----BEGIN PRIVATE KEY-----'), found none");
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException(
                    "expected the certificate chain ('-----BEGIN CERTIFICATE-----'), found no certificate");
        }
        return new KeyAndChain(key, chain.toArray(X509Certificate[]::new));
    }

    /** @throws GeneralSecurityException when there is no certificate or one is malformed */
    static X509Certificate[] certificates(byte[] pem) throws GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Block block : blocks(pem)) {
            if (block.label().equals("CERTIFICATE")) {
                certificates.add(certificate(block.der()));
            }
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("expected CA certificates ('-----BEGIN CERTIFICATE-----'), found none");
        }
        return certificates.toArray(X509Certificate[]::new);
    }

    private record Block(String label, byte[] der) {}

    private static List<Block> blocks(byte[] pem) throws GeneralSecurityException {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException("malformed base64 in a '" + m.group(1) + "' block", e);
            }
        }
        return blocks;
    }

    private static X509Certificate certificate(byte[] der) throws CertificateException {
        return (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static PrivateKey privateKey(byte[] der) throws GeneralSecurityException {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException notThisAlgorithm) {
                // try the next
            }
        }
        throw new GeneralSecurityException("the private key is none of " + KEY_ALGORITHMS);
    }
}
