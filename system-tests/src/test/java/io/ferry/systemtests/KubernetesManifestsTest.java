package io.ferry.systemtests;

import static io.ferry.systemtests.KubernetesManifests.list;
import static io.ferry.systemtests.KubernetesManifests.map;
import static io.ferry.systemtests.KubernetesManifests.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes/ parses, and everything in it refers to something that exists: in the manifests
 * (Services, ConfigMaps, volumes, ports, the controller pods the quorum names), in the image
 * (deploy/Dockerfile: the user, the {@code ferry-node} launcher) and among the configuration keys
 * (docs/configuration.md). No Kubernetes API server runs here; docs/operations.md says what that leaves
 * untried.
 */
class KubernetesManifestsTest {

    private static final Set<String> JVM_VARIABLES = Set.of("FERRY_HEAP_OPTS", "FERRY_JVM_OPTS");

    private static KubernetesManifests manifests;
    private static Map<String, Map<String, Object>> resources;

    @BeforeAll
    static void parse() throws IOException {
        manifests = KubernetesManifests.read();
        resources = manifests.resources;
    }

    @Test
    void kustomizationListsEveryManifestAndItsNamespaceAndImage() throws IOException {
        Set<String> files;
        try (Stream<Path> listed = Files.list(Repo.path(KubernetesManifests.DIR.toString()))) {
            files = listed.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml"))
                    .filter(f -> !f.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, new TreeSet<>(list(manifests.kustomization, "resources")), "kustomization resources");
        assertTrue(
                resources.containsKey("Namespace/" + string(manifests.kustomization, "namespace")),
                resources::toString);
        Set<String> images = manifests.statefulSets().stream()
                .flatMap(s -> KubernetesManifests.containers(s).stream())
                .map(c -> string(c, "image"))
                .collect(Collectors.toSet());
        assertEquals(Set.of(composeNodeImage()), images, "the image docker-compose.yml builds");
        assertEquals(
                composeNodeImage().split(":")[0],
                string(map(list(manifests.kustomization, "images").get(0)), "name"));
    }

    @Test
    void everyKindIsAStableApiVersion() {
        Map<String, String> stable = Map.of(
                "Namespace",
                "v1",
                "ConfigMap",
                "v1",
                "Service",
                "v1",
                "StatefulSet",
                "apps/v1",
                "PodDisruptionBudget",
                "policy/v1");
        resources.forEach((key, doc) -> assertEquals(stable.get(string(doc, "kind")), string(doc, "apiVersion"), key));
    }

    @Test
    void statefulSetsHaveAHeadlessServiceStableIdsVolumesAndProbesThatExist() throws IOException {
        String dockerfile = Files.readString(Repo.path("deploy/Dockerfile"));
        assertEquals(2, manifests.statefulSets().size());
        for (Map<String, Object> sts : manifests.statefulSets()) {
            String name = string(sts, "metadata", "name");
            Map<String, Object> service = manifests.resource("Service", string(sts, "spec", "serviceName"));
            assertEquals(
                    "None", string(service, "spec", "clusterIP"), name + ": a headless Service gives stable names");
            assertEquals(
                    Boolean.TRUE,
                    map(service, "spec").get("publishNotReadyAddresses"),
                    name + ": pods resolve each other before they are ready");
            assertEquals("Parallel", string(sts, "spec", "podManagementPolicy"), name);
            assertEquals("RollingUpdate", string(sts, "spec", "updateStrategy", "type"), name);
            Map<String, Object> labels = map(sts, "spec", "template", "metadata", "labels");
            assertTrue(
                    labels.entrySet()
                            .containsAll(
                                    map(sts, "spec", "selector", "matchLabels").entrySet()),
                    name);
            assertTrue(
                    labels.entrySet()
                            .containsAll(map(service, "spec", "selector").entrySet()),
                    name);

            Map<String, Object> pod = map(sts, "spec", "template", "spec");
            assertTrue(
                    dockerfile.contains("--uid " + map(pod, "securityContext").get("runAsUser") + " "),
                    name + ": runAsUser is the image's user");
            assertTrue(
                    ((Number) pod.get("terminationGracePeriodSeconds")).intValue() >= 30,
                    name + ": time for controlled shutdown");
            Set<String> volumes = new HashSet<>();
            list(pod, "volumes").forEach(v -> volumes.add(string(map(v), "name")));
            list(sts, "spec", "volumeClaimTemplates").forEach(v -> volumes.add(string(map(v), "metadata", "name")));
            for (Map<String, Object> container : KubernetesManifests.containers(sts)) {
                assertTrue(String.join(" ", list(container, "command")).contains("exec ferry-node"), name);
                assertTrue(
                        dockerfile.contains("COPY deploy/ferry-node /usr/local/bin/ferry-node"),
                        "the image has the launcher the command runs");
                for (Object mount : list(container, "volumeMounts")) {
                    assertTrue(volumes.contains(string(map(mount), "name")), name + ": volume of " + mount);
                }
                Set<String> ports = portNames(container);
                assertEquals("/health", string(container, "readinessProbe", "httpGet", "path"), name);
                String probed = string(container, "readinessProbe", "httpGet", "port");
                assertTrue(ports.contains(probed), name + ": the probe's port " + probed + " is not among " + ports);
                for (Object p : list(service, "spec", "ports")) {
                    assertTrue(ports.contains(string(map(p), "targetPort")), name + ": target of " + p);
                }
            }
        }
    }

    @Test
    void servicesAndDisruptionBudgetsSelectExactlyOneStatefulSet() {
        resources.values().stream()
                .filter(r -> List.of("Service", "PodDisruptionBudget").contains(string(r, "kind")))
                .forEach(r -> {
                    Map<String, Object> selector = r.get("kind").equals("Service")
                            ? map(r, "spec", "selector")
                            : map(r, "spec", "selector", "matchLabels");
                    List<Map<String, Object>> selected = manifests.statefulSets().stream()
                            .filter(s -> map(s, "spec", "template", "metadata", "labels")
                                    .entrySet()
                                    .containsAll(selector.entrySet()))
                            .toList();
                    assertEquals(1, selected.size(), string(r, "metadata", "name") + " selects " + selected.size());
                    if (r.get("kind").equals("PodDisruptionBudget")) {
                        assertEquals(1, map(r, "spec").get("maxUnavailable"), "one pod at a time: " + r);
                    }
                });
    }

    @Test
    void everyFerryVariableIsAConfigurationKeyAndEveryReferenceResolves() throws IOException {
        String keys = Files.readString(Repo.path("docs/configuration.md"));
        for (Map<String, Object> sts : manifests.statefulSets()) {
            for (Map<String, Object> container : KubernetesManifests.containers(sts)) {
                List<String> defined = new ArrayList<>();
                for (Object from : list(container, "envFrom")) {
                    Map<String, Object> configMap =
                            manifests.resource("ConfigMap", string(map(from), "configMapRef", "name"));
                    defined.addAll(map(configMap, "data").keySet());
                }
                for (Object e : list(container, "env")) {
                    String value = string(map(e), "value");
                    // $(NAME) is expanded from the variables defined before it.
                    Matcher ref = Pattern.compile("\\$\\((\\w+)\\)").matcher(value == null ? "" : value);
                    while (ref.find()) {
                        assertTrue(defined.contains(ref.group(1)), "$(" + ref.group(1) + ") in " + e);
                    }
                    defined.add(string(map(e), "name"));
                }
                defined.add("FERRY_NODE_ID"); // set by the command
                for (String variable : defined) {
                    if (variable.startsWith("FERRY_") && !JVM_VARIABLES.contains(variable)) {
                        assertTrue(keys.contains("`" + variable + "`"), variable + " is no configuration key");
                    }
                }
                assertTrue(
                        defined.containsAll(
                                List.of("FERRY_NODE_ID", "FERRY_PROCESS_ROLES", "FERRY_CONTROLLER_QUORUM_VOTERS")),
                        defined::toString);
            }
        }
    }

    @Test
    void theQuorumAndTheBrokersBootstrapNameTheControllerPods() {
        Map<String, Object> controllers = manifests.statefulSet("controller");
        Map<String, Object> service = manifests.resource("Service", string(controllers, "spec", "serviceName"));
        int replicas = (Integer) map(controllers, "spec").get("replicas");
        int offset = KubernetesManifests.nodeIdOffset(controllers);
        String podPrefix = string(controllers, "metadata", "name") + "-";
        String domain = "." + string(service, "metadata", "name");

        String voters =
                string(manifests.resource("ConfigMap", "ferry-cluster"), "data", "FERRY_CONTROLLER_QUORUM_VOTERS");
        List<String> expected = IntStream.range(0, replicas)
                .mapToObj(i -> (offset + i) + "@" + podPrefix + i + domain + ":" + servicePort(service, "raft"))
                .toList();
        assertEquals(expected, List.of(voters.split(",")), "voter ids are the pods' node ids, at their Raft ports");

        Map<String, Object> brokers = manifests.statefulSet("broker");
        assertFalse(
                IntStream.range(0, (Integer) map(brokers, "spec").get("replicas"))
                        .anyMatch(i -> IntStream.range(0, replicas)
                                .anyMatch(j -> KubernetesManifests.nodeIdOffset(brokers) + i == offset + j)),
                "broker and controller node ids overlap");
        String bootstrap = list(KubernetesManifests.containers(brokers).get(0), "env").stream()
                .map(KubernetesManifests::map)
                .filter(e -> "FERRY_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS".equals(e.get("name")))
                .map(e -> (String) e.get("value"))
                .findFirst()
                .orElseGet(() -> fail("no bootstrap servers"));
        List<String> controllerGrpc = IntStream.range(0, replicas)
                .mapToObj(i -> podPrefix + i + domain + ":" + servicePort(service, "grpc"))
                .toList();
        assertEquals(controllerGrpc, List.of(bootstrap.split(",")));
    }

    private static Object servicePort(Map<String, Object> service, String name) {
        return list(service, "spec", "ports").stream()
                .map(KubernetesManifests::map)
                .filter(p -> name.equals(p.get("name")))
                .map(p -> p.get("port"))
                .findFirst()
                .orElseGet(() -> fail("no port " + name + " in " + service));
    }

    private static Set<String> portNames(Map<String, Object> container) {
        return list(container, "ports").stream()
                .map(p -> string(map(p), "name"))
                .collect(Collectors.toSet());
    }

    /** The node image docker-compose.yml uses by default: {@code ${NODE_IMAGE:-<this>}}. */
    private static String composeNodeImage() throws IOException {
        Matcher m = Pattern.compile("image: \\$\\{NODE_IMAGE:-([^}]+)}")
                .matcher(Files.readString(Repo.path("docker-compose.yml")));
        assertTrue(m.find(), "docker-compose.yml names its node image");
        return m.group(1);
    }
}
