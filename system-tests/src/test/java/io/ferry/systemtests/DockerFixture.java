package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the tests that run containers share, set up once per test run by the first class that
 * declares {@code @ExtendWith(DockerFixture.class)} and released after the last: a Docker engine
 * ({@link DockerEngine}), base images made from Debian's packages (kept between runs: making them
 * takes minutes), and the node image built with deploy/Dockerfile from the jars this build packaged
 * (removed at the end).
 *
 * <p>No registry is reachable where the tests run and containers reach no package repository, so
 * {@code src/test/docker/debian-images.sh} makes, with debootstrap, the images that stand in for
 * deploy/Dockerfile's default bases and for prom/prometheus, and the node image is built with
 * {@code JARS=host}.
 */
final class DockerFixture implements BeforeAllCallback {

    /** Stands in for debian:bookworm-slim. */
    static final String RUNTIME_IMAGE = "local/ferry-runtime:bookworm";
    /** Stands in for eclipse-temurin:17-jdk. */
    static final String BUILD_IMAGE = "local/ferry-build:jdk17-bookworm";
    /** Debian's prometheus, with prom/prometheus's entry point and user. */
    static final String PROMETHEUS_IMAGE = "local/prometheus:bookworm";
    /** deploy/Dockerfile on the two base images, with the packaged jars. */
    static final String NODE_IMAGE = "local/ferry-node:test";

    /** Logs and outputs of the container tests. */
    static final Path WORK = Path.of("target", "containers").toAbsolutePath();

    private static final Duration IMAGES_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration DOCKER_TIMEOUT = Duration.ofMinutes(2);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot()
                .getStore(ExtensionContext.Namespace.create(DockerFixture.class))
                .computeIfAbsent(Resources.class, k -> Resources.start(), Resources.class);
    }

    /** The engine and the images; closed by JUnit with the root context, after every test class. */
    static final class Resources implements AutoCloseable {

        private DockerEngine engine;

        static Resources start() {
            Resources resources = new Resources();
            try {
                Repo.requireNodeJar();
                Repo.requireCliJar();
                Files.createDirectories(WORK);
                resources.engine = DockerEngine.start(WORK);
                debianImages();
                Shell.Result build = Shell.run(
                        BUILD_TIMEOUT,
                        "docker",
                        "build",
                        "--force-rm",
                        "-f",
                        "deploy/Dockerfile",
                        "--build-arg",
                        "JARS=host",
                        "--build-arg",
                        "BUILD_IMAGE=" + BUILD_IMAGE,
                        "--build-arg",
                        "RUNTIME_IMAGE=" + RUNTIME_IMAGE,
                        "-t",
                        NODE_IMAGE,
                        ".");
                assertEquals(0, build.exitCode(), build::toString);
                Files.writeString(
                        WORK.resolve("node-image-size.txt"),
                        ComposeProject.inspect(NODE_IMAGE, "{{.Size}}") + " bytes\n");
                return resources;
            } catch (IOException e) {
                resources.close();
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                resources.close();
                throw new IllegalStateException(e);
            } catch (RuntimeException | AssertionError e) {
                resources.close();
                throw e;
            }
        }

        private static void debianImages() throws IOException, InterruptedException {
            boolean missing = false;
            for (String image : List.of(RUNTIME_IMAGE, BUILD_IMAGE, PROMETHEUS_IMAGE)) {
                missing |= Shell.run(DOCKER_TIMEOUT, "docker", "image", "inspect", image)
                                .exitCode()
                        != 0;
            }
            if (!missing) {
                return;
            }
            if (!Repo.onPath("debootstrap")) {
                DockerEngine.aptInstall("debootstrap");
            }
            Shell.Result images = Shell.run(
                    IMAGES_TIMEOUT,
                    Map.of(),
                    List.of(
                            Repo.path("system-tests/src/test/docker/debian-images.sh")
                                    .toString(),
                            RUNTIME_IMAGE,
                            BUILD_IMAGE,
                            PROMETHEUS_IMAGE));
            assertEquals(0, images.exitCode(), images::toString);
        }

        /** Removes the node image and the build stage the classic builder kept, then stops the engine if started here. */
        @Override
        public void close() {
            if (engine == null) {
                return;
            }
            try {
                try {
                    Shell.run(DOCKER_TIMEOUT, "docker", "image", "rm", NODE_IMAGE);
                    Shell.run(
                            DOCKER_TIMEOUT,
                            "docker",
                            "image",
                            "prune",
                            "--force",
                            "--filter",
                            "label=io.ferry.stage=build");
                } finally {
                    engine.stop();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
