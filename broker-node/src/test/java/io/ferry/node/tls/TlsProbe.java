package io.ferry.node.tls;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A bare TLS handshake with a node's gRPC port, as an HTTP/2 client starts one; a client context trusting a CA. */
final class TlsProbe {

    private TlsProbe() {}

    /**
     * Connects to {@code port} on loopback trusting the CA of {@code truststore}, offering only
     * {@code protocol}, and returns the certificate the node presents.
     *
     * @throws javax.net.ssl.SSLHandshakeException when the node refuses the handshake
     */
    static X509Certificate handshake(int port, Path truststore, String protocol) throws Exception {
        SSLContext context = trusting(truststore);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            parameters.setProtocols(new String[] {protocol});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** A client TLS context that trusts exactly the CA certificate in {@code truststore} (a PEM file). */
    static SSLContext trusting(Path truststore) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(truststore)) {
            trusted.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
