package io.ferry.node.tls;

import io.ferry.node.broker.BrokerTestSupport;
import io.ferry.testsupport.LoopbackPorts;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test, and node certificates it signs for {@code localhost} and
 * {@code 127.0.0.1}, written as the PEM files the {@code ssl.*} keys name. Keys are EC P-256 (fast to make)
 * and live only in the test's temporary directory.
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestCertificates(KeyPair caKeys, X509Certificate ca) {
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** A new CA, {@code CN=<name>}. */
    public static TestCertificates authority(String name) {
        try {
            KeyPair keys = newKeyPair();
            X500Name subject = new X500Name("CN=" + name);
            X509v3CertificateBuilder builder = builder(subject, subject, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            return new TestCertificates(keys, sign(builder, keys));
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The files of one test's node: a key store ({@code node.pem}, {@code CN=node-1}) signed by a new CA,
     * whose certificate is the trust store ({@code ca.pem}), both in {@code dir}.
     */
    public record NodeFiles(TestCertificates authority, Path keystore, Path truststore) {

        /**
         * The settings of a node with both roles ({@link BrokerTestSupport#combinedNode}) whose
         * {@code grpc.listener} serves TLS with these files, and {@code more}.
         */
        public List<String> tlsCombinedNode(Path logDir, String... more) throws Exception {
            List<String> settings = new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), logDir));
            settings.addAll(List.of(
                    "grpc.listener.security.protocol=SSL",
                    "ssl.keystore.location=" + keystore,
                    "ssl.truststore.location=" + truststore));
            settings.addAll(List.of(more));
            return settings;
        }
    }

    public static NodeFiles nodeFiles(Path dir) {
        TestCertificates ca = authority("ferry-test-ca");
        Path keystore = dir.resolve("node.pem");
        ca.writeKeystore(keystore, "node-1");
        return new NodeFiles(ca, keystore, ca.writeCa(dir.resolve("ca.pem")));
    }

    /** Writes the CA's certificate to {@code file} (what {@code ssl.truststore.location} names). */
    public Path writeCa(Path file) {
        write(file, pem(ca));
        return file;
    }

    /**
     * Writes a new key and a certificate {@code CN=<name>} this CA signs, for {@code localhost} and
     * {@code 127.0.0.1}, with the CA's certificate after it (what {@code ssl.keystore.location} names). The
     * file is replaced in one move, as a deployment tool would, so a reader never sees half of it.
     *
     * @return the node certificate written
     */
    public X509Certificate writeKeystore(Path file, String name) {
        return writeKeystore(file, name, "localhost", "127.0.0.1");
    }

    /** As {@link #writeKeystore(Path, String)}, for the given host names and IP addresses only. */
    public X509Certificate writeKeystore(Path file, String name, String... hosts) {
        try {
            KeyPair keys = newKeyPair();
            GeneralName[] names = new GeneralName[hosts.length];
            for (int i = 0; i < hosts.length; i++) {
                names[i] = new GeneralName(
                        hosts[i].matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, hosts[i]);
            }
            X509v3CertificateBuilder builder = builder(
                            X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                            new X500Name("CN=" + name),
                            keys)
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            X509Certificate certificate = sign(builder, caKeys);
            write(file, pem(new JcaPKCS8Generator(keys.getPrivate(), null)) + pem(certificate) + pem(ca));
            return certificate;
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(Path file, String content) {
        try {
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, content, StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
