package io.ferry.node.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.ferry.config.HostPort;
import io.ferry.node.internal.threads.NodeThreads;
import io.ferry.node.internal.tls.NodeTls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;

/**
 * The node's HTTP port: {@code GET /metrics} (Prometheus text) and {@code GET /health} (200 when
 * healthy, 503 otherwise, with a small JSON body), over HTTPS when {@code http.listener.security.protocol}
 * is SSL. Uses the JDK's HTTP server: two endpoints do not justify a framework. Requests are served by a
 * small pool of the node's threads.
 */
public final class HttpEndpoint implements AutoCloseable {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final int THREADS = 2;

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts serving.
     *
     * @param tls     HTTPS instead of HTTP, when present
     * @param metrics the exposition, computed per scrape
     * @param health  the current health, computed per request
     * @param threads makes the request threads
     * @throws IOException if the address cannot be bound
     */
    public static HttpEndpoint start(
            HostPort listener,
            Optional<NodeTls.Https> tls,
            Supplier<String> metrics,
            Supplier<NodeHealth> health,
            NodeThreads threads)
            throws IOException {
        HttpServer server =
                tls.isPresent() ? https(listener, tls.get()) : HttpServer.create(listener.resolveForBind(), 0);
        ExecutorService executor = threads.fixed("ferry-http", THREADS);
        server.setExecutor(executor);
        server.createContext(
                "/metrics", exchange -> respond(exchange, () -> new Response(200, PROMETHEUS_TEXT, metrics.get())));
        server.createContext(
                "/health",
                exchange -> respond(exchange, () -> {
                    NodeHealth h = health.get();
                    return new Response(h.isHealthy() ? 200 : 503, "application/json", h.toJson());
                }));
        server.createContext(
                "/",
                exchange -> respond(
                        exchange,
                        () -> new Response(404, "text/plain; charset=utf-8", "not found; try /metrics or /health\n")));
        server.start();
        return new HttpEndpoint(server, executor);
    }

    private static HttpsServer https(HostPort listener, NodeTls.Https tls) throws IOException {
        HttpsServer server = HttpsServer.create(listener.resolveForBind(), 0);
        String[] protocols = tls.protocols().toArray(String[]::new);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.context()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                parameters.setProtocols(protocols);
                params.setSSLParameters(parameters);
            }
        });
        return server;
    }

    /** The bound address (the real port when the configured one was 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private record Response(int status, String contentType, String body) {}

    private static void respond(HttpExchange exchange, Supplier<Response> handler) throws IOException {
        try (exchange) {
            Response response;
            if (!exchange.getRequestMethod().equals("GET")
                    && !exchange.getRequestMethod().equals("HEAD")) {
                response = new Response(405, "text/plain; charset=utf-8", "only GET is supported\n");
            } else if (!exchange.getRequestURI()
                    .getPath()
                    .equals(exchange.getHttpContext().getPath())) {
                response = new Response(404, "text/plain; charset=utf-8", "not found; try /metrics or /health\n");
            } else {
                response = handler.get();
            }
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** Stops at once: runs last in the node's shutdown, when a scrape cut short no longer matters. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
