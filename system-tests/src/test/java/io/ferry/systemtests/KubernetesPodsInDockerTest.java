package io.ferry.systemtests;

import static io.ferry.systemtests.CliOutput.assertEachValueOnce;
import static io.ferry.systemtests.CliOutput.assertOutput;
import static io.ferry.systemtests.ClusterTable.brokerState;
import static io.ferry.systemtests.ClusterTable.everyPartitionOk;
import static io.ferry.systemtests.ClusterTable.partitions;
import static io.ferry.systemtests.ClusterTable.partitionsLedBy;
import static io.ferry.systemtests.KubernetesManifests.list;
import static io.ferry.systemtests.KubernetesManifests.map;
import static io.ferry.systemtests.KubernetesManifests.string;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The StatefulSets of deploy/kubernetes/ run as Kubernetes would run their pods, as containers of the
 * node image (no Kubernetes here): each pod's command (with Kubernetes' {@code $(VAR)} and {@code $$}
 * expansion), environment (its ConfigMap, {@code $(VAR)} references, the pod IP from the downward API),
 * user, groups and fsGroup-owned volume, read-only root with the emptyDir, memory limit, hostname and
 * the DNS names of its Services (the headless one per pod, {@code ferry} shared by the brokers). Then:
 * every pod passes its readiness probe, a topic with three replicas takes {@code acks=all} through the
 * Service, a leading broker pod is terminated within its grace period (controlled shutdown, exit 143)
 * and recreated under the same name with its volume and a new IP, and every record is there once.
 *
 * <p>Not emulated: scheduling, PersistentVolume provisioning, kube-proxy, the kubelet's own probing and
 * restarts, PodDisruptionBudgets, the search domains of cluster DNS (pods reach each other here by the
 * names the manifests use, without the namespace). The containers are on a Docker bridge network, which
 * only this host reaches; nothing is published.
 */
@Tag("tools")
@ExtendWith(DockerFixture.class)
class KubernetesPodsInDockerTest {

    private static final String PREFIX = "ferry-kubernetes-pods";
    private static final String LABEL = "io.ferry.test=" + PREFIX;
    private static final Path WORK = DockerFixture.WORK.resolve("kubernetes-pods");
    private static final String NAMESPACE = "ferry";
    private static final Pattern K8S_REFERENCE = Pattern.compile("\\$\\$|\\$\\((\\w+)\\)");

    private static final Duration DOCKER_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(90);
    private static final int RECORDS = 100;

    private static KubernetesManifests manifests;
    private static String subnetPrefix;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** A pod as the StatefulSet controller would create it. */
    private record Pod(Map<String, Object> statefulSet, int ordinal, String ip) {
        String name() {
            return string(statefulSet, "metadata", "name") + "-" + ordinal;
        }

        String container() {
            return PREFIX + "-" + name();
        }
    }

    @BeforeAll
    static void network() throws Exception {
        manifests = KubernetesManifests.read();
        Files.createDirectories(WORK);
        removeLeftovers();
        // Fixed pod IPs (for POD_IP) need a subnet of our choosing: the first one no other network uses.
        List<String> tried = new ArrayList<>();
        for (int third = 200; third < 210 && subnetPrefix == null; third++) {
            String prefix = "10.213." + third + ".";
            Shell.Result create = Shell.run(
                    DOCKER_TIMEOUT,
                    "docker",
                    "network",
                    "create",
                    "--label",
                    LABEL,
                    "--subnet",
                    prefix + "0/24",
                    PREFIX);
            tried.add(prefix + "0/24: " + create.output().strip());
            subnetPrefix = create.exitCode() == 0 ? prefix : null;
        }
        assertTrue(subnetPrefix != null, () -> "no free subnet for the pods' network: " + tried);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (manifests == null) {
            return;
        }
        for (String container : docker("ps", "-a", "--filter", "label=" + LABEL, "--format", "{{.Names}}")
                .lines()
                .filter(l -> !l.isBlank())
                .toList()) {
            Files.writeString(
                    WORK.resolve(container + ".log"),
                    Shell.run(DOCKER_TIMEOUT, "docker", "logs", container).output(),
                    StandardCharsets.UTF_8);
        }
        removeLeftovers();
    }

    @Test
    void podsOfTheStatefulSetsFormAClusterAndABrokerPodTerminatesWithControlledShutdown() throws Exception {
        List<Pod> pods = new ArrayList<>();
        int host = 10;
        for (Map<String, Object> sts : manifests.statefulSets()) {
            int replicas = (Integer) map(sts, "spec").get("replicas");
            for (int i = 0; i < replicas; i++) {
                pods.add(new Pod(sts, i, subnetPrefix + host++));
            }
        }
        for (Pod pod : pods) {
            createVolumes(pod);
            run(pod);
        }
        awaitReady(pods);

        Map<String, Object> brokers = manifests.statefulSet("broker");
        int brokerIdOffset = KubernetesManifests.nodeIdOffset(brokers);
        Pod client = pods.stream()
                .filter(p -> p.statefulSet() == brokers)
                .findFirst()
                .orElseThrow();
        Shell.Result create = ferry(
                client,
                "ferry --bootstrap ferry:9092 topic create --topic orders --partitions 3 " + "--replication-factor 3");
        assertOutput(create, "Created topic orders with 3 partition(s), replication factor 3.");
        assertOutput(
                ferry(client, "seq " + RECORDS + " | ferry --bootstrap ferry:9092 produce --topic orders --acks all"),
                RECORDS + " acknowledged, 0 failed.");
        Shell.Result placed = awaitCluster(client, "every partition with its full ISR", ClusterTable::everyPartitionOk);

        // The kubelet's SIGTERM, then SIGKILL after terminationGracePeriodSeconds.
        String leaderId = partitions(placed).get(1).leader();
        Pod leader = pods.stream()
                .filter(p -> p.statefulSet() == brokers && p.ordinal() == Integer.parseInt(leaderId) - brokerIdOffset)
                .findFirst()
                .orElseThrow();
        Pod survivor = pods.stream()
                .filter(p -> p.statefulSet() == brokers && p != leader)
                .findFirst()
                .orElseThrow();
        Object grace = map(brokers, "spec", "template", "spec").get("terminationGracePeriodSeconds");
        docker("stop", "--time", grace.toString(), leader.container());
        assertEquals(
                "143",
                docker("inspect", "--format", "{{.State.ExitCode}}", leader.container())
                        .strip(),
                "the JVM ended on SIGTERM");
        String log =
                Shell.run(DOCKER_TIMEOUT, "docker", "logs", leader.container()).output();
        assertTrue(log.contains("Controlled shutdown of broker " + leaderId + " done"), log);
        Shell.Result handedOver = awaitCluster(
                survivor,
                "broker " + leaderId + " leads nothing",
                c -> partitions(c).size() == 3 && partitionsLedBy(c, leaderId).isEmpty());
        assertEquals(3, partitions(handedOver).size(), handedOver::toString);

        // The StatefulSet recreates the pod: same name and volume, a new IP.
        docker("rm", leader.container());
        Pod recreated = new Pod(brokers, leader.ordinal(), subnetPrefix + host);
        run(recreated);
        awaitReady(List.of(recreated));
        awaitCluster(
                survivor,
                "broker " + leaderId + " back in every ISR",
                c -> brokerState(c, leaderId).equals(Optional.of("alive")) && everyPartitionOk(c));
        Shell.Result consume = ferry(
                recreated,
                "ferry --bootstrap ferry:9092 consume --topic orders --from-beginning "
                        + "--timeout-ms 5000 | sort -n | uniq | wc -l");
        assertEachValueOnce(consume, RECORDS);
    }

    /** What the kubelet does for a pod's volumes: a fresh volume per claim, group-owned by fsGroup. */
    private static void createVolumes(Pod pod) throws Exception {
        Object fsGroup = map(pod.statefulSet(), "spec", "template", "spec", "securityContext")
                .get("fsGroup");
        for (Object claim : list(pod.statefulSet(), "spec", "volumeClaimTemplates")) {
            String volume = volume(string(map(claim), "metadata", "name"), pod);
            docker("volume", "create", "--label", LABEL, volume);
            docker(
                    "run",
                    "--rm",
                    "--user",
                    "0",
                    "--entrypoint",
                    "/bin/sh",
                    "--mount",
                    "type=volume,src=" + volume + ",dst=/v,volume-nocopy",
                    DockerFixture.NODE_IMAGE,
                    "-c",
                    "chgrp " + fsGroup + " /v && chmod 2775 /v");
        }
    }

    private static String volume(String claim, Pod pod) {
        return PREFIX + "-" + claim + "-" + pod.name();
    }

    /** docker run of the pod's one container, as its manifest describes it. */
    private static void run(Pod pod) throws Exception {
        Map<String, Object> spec = map(pod.statefulSet(), "spec", "template", "spec");
        Map<String, Object> container =
                KubernetesManifests.containers(pod.statefulSet()).get(0);
        Map<String, Object> security = map(spec, "securityContext");
        List<String> command = new ArrayList<>(List.of(
                "docker",
                "run",
                "--detach",
                "--name",
                pod.container(),
                "--label",
                LABEL,
                "--hostname",
                pod.name(),
                "--network",
                PREFIX,
                "--ip",
                pod.ip(),
                "--user",
                security.get("runAsUser") + ":" + security.get("runAsGroup"),
                "--group-add",
                String.valueOf(security.get("fsGroup"))));
        String serviceName = string(pod.statefulSet(), "spec", "serviceName");
        command.addAll(List.of("--network-alias", pod.name() + "." + serviceName));
        Map<String, Object> labels = map(pod.statefulSet(), "spec", "template", "metadata", "labels");
        for (Map<String, Object> service : manifests.resources.values()) {
            if (service.get("kind").equals("Service")
                    && !"None".equals(string(service, "spec", "clusterIP"))
                    && labels.entrySet()
                            .containsAll(map(service, "spec", "selector").entrySet())) {
                command.addAll(List.of("--network-alias", string(service, "metadata", "name")));
            }
        }
        Map<String, Object> containerSecurity = map(container, "securityContext");
        if (Boolean.TRUE.equals(containerSecurity.get("readOnlyRootFilesystem"))) {
            command.add("--read-only");
        }
        if (Boolean.FALSE.equals(containerSecurity.get("allowPrivilegeEscalation"))) {
            command.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        for (Object capability : list(containerSecurity, "capabilities", "drop")) {
            command.addAll(List.of("--cap-drop", capability.toString()));
        }
        String memory = string(container, "resources", "limits", "memory");
        if (memory != null) {
            command.addAll(List.of("--memory", memory.replace("Gi", "g").replace("Mi", "m")));
        }
        for (Object m : list(container, "volumeMounts")) {
            String name = string(map(m), "name");
            String path = string(map(m), "mountPath");
            boolean emptyDir = list(spec, "volumes").stream()
                    .anyMatch(v -> name.equals(string(map(v), "name")) && map(v).containsKey("emptyDir"));
            command.addAll(
                    emptyDir
                            ? List.of("--tmpfs", path + ":rw,exec,mode=1777")
                            : List.of("--mount", "type=volume,src=" + volume(name, pod) + ",dst=" + path));
        }
        Map<String, String> env = environment(pod, container);
        env.forEach((k, v) -> command.addAll(List.of("--env", k + "=" + v)));
        List<String> podCommand = list(container, "command").stream()
                .map(c -> expand(c.toString(), env))
                .toList();
        command.addAll(List.of("--entrypoint", podCommand.get(0), DockerFixture.NODE_IMAGE));
        command.addAll(podCommand.subList(1, podCommand.size()));
        Shell.Result started = Shell.run(DOCKER_TIMEOUT, Map.of(), command);
        assertEquals(0, started.exitCode(), () -> String.join(" ", command) + "\n" + started);
    }

    /** envFrom ConfigMaps, then env in order, each value expanded with what is defined before it. */
    private static Map<String, String> environment(Pod pod, Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object from : list(container, "envFrom")) {
            map(manifests.resource("ConfigMap", string(map(from), "configMapRef", "name")), "data")
                    .forEach((k, v) -> env.put(k, v.toString()));
        }
        for (Object e : list(container, "env")) {
            Map<String, Object> variable = map(e);
            String value = string(variable, "value");
            String field = string(variable, "valueFrom", "fieldRef", "fieldPath");
            if (field != null) {
                value = switch (field) {
                    case "status.podIP" -> pod.ip();
                    case "metadata.name" -> pod.name();
                    case "metadata.namespace" -> NAMESPACE;
                    default -> fail("no emulation of the downward API field " + field);
                };
            }
            env.put(string(variable, "name"), expand(value, env));
        }
        return env;
    }

    /** Kubernetes' expansion in env values and commands: $(NAME) if defined, $$ is $. */
    private static String expand(String text, Map<String, String> env) {
        Matcher m = K8S_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) == null ? "$" : env.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    /** Every pod's readiness probe (an HTTP GET of its path on its port) answers 200. */
    private static void awaitReady(List<Pod> pods) {
        for (Pod pod : pods) {
            Map<String, Object> container =
                    KubernetesManifests.containers(pod.statefulSet()).get(0);
            String portName = string(container, "readinessProbe", "httpGet", "port");
            Object port = list(container, "ports").stream()
                    .map(KubernetesManifests::map)
                    .filter(p -> portName.equals(p.get("name")))
                    .map(p -> p.get("containerPort"))
                    .findFirst()
                    .orElseGet(() -> fail("no port " + portName));
            URI probe = URI.create(
                    "http://" + pod.ip() + ":" + port + string(container, "readinessProbe", "httpGet", "path"));
            await(pod.name() + " ready (" + probe + ")")
                    .atMost(READY_TIMEOUT)
                    .pollInterval(Duration.ofSeconds(2))
                    .ignoreExceptions()
                    .until(() -> HTTP.send(
                                            HttpRequest.newBuilder(probe)
                                                    .timeout(Duration.ofSeconds(2))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200);
        }
    }

    private static Shell.Result awaitCluster(Pod pod, String what, Predicate<Shell.Result> condition) {
        return await(what)
                .atMost(FAILOVER_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> ferry(pod, "ferry --bootstrap ferry:9092 cluster"), condition);
    }

    /** A CLI command line run with sh in the pod, as {@code kubectl exec POD -- sh -c LINE}. */
    private static Shell.Result ferry(Pod pod, String line) throws IOException, InterruptedException {
        return Shell.run(DOCKER_TIMEOUT, Map.of(), List.of("docker", "exec", pod.container(), "sh", "-c", line));
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Shell.Result result = Shell.run(DOCKER_TIMEOUT, Map.of(), command);
        assertEquals(0, result.exitCode(), () -> String.join(" ", command) + "\n" + result);
        return result.output();
    }

    /** The containers, volumes and network of this test, from this run or an earlier one. */
    private static void removeLeftovers() throws Exception {
        String label = "label=" + LABEL;
        for (String id : docker("ps", "-a", "-q", "--filter", label)
                .lines()
                .filter(l -> !l.isBlank())
                .toList()) {
            docker("rm", "--force", "--volumes", id);
        }
        for (String volume : docker("volume", "ls", "-q", "--filter", label)
                .lines()
                .filter(l -> !l.isBlank())
                .toList()) {
            docker("volume", "rm", volume);
        }
        for (String network : docker("network", "ls", "-q", "--filter", label)
                .lines()
                .filter(l -> !l.isBlank())
                .toList()) {
            docker("network", "rm", network);
        }
    }
}
