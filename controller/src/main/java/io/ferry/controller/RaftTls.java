package io.ferry.controller;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Mutual TLS on the controllers' Raft port: each controller presents the certificate of {@code keyManager}
 * and accepts a peer (a controller connecting to it, or one it connects to) only with a certificate
 * {@code trustManager} trusts, so a process without a certificate of the cluster's CA can neither join
 * the quorum nor read its traffic. The managers may change their credentials while the node runs (file
 * reloads); new connections use the new ones.
 */
public record RaftTls(KeyManager keyManager, TrustManager trustManager) {}
