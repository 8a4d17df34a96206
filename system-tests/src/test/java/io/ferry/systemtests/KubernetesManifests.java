package io.ferry.systemtests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/kubernetes/ as parsed YAML: the kustomization and every document of its resources. In the
 * navigation helpers a missing key is null (or an empty list) and a value of the wrong type fails.
 */
final class KubernetesManifests {

    static final Path DIR = Path.of("deploy/kubernetes");
    /** How the pods' command derives node.id from the ordinal in the pod's name: OFFSET + ordinal. */
    private static final Pattern NODE_ID_OFFSET =
            Pattern.compile("FERRY_NODE_ID=\\$\\$\\(\\((\\d+) \\+ \\$\\$\\{HOSTNAME##\\*-}\\)\\)");

    final Map<String, Object> kustomization;
    /** Every document of the kustomization's resources, by "Kind/name". */
    final Map<String, Map<String, Object>> resources = new LinkedHashMap<>();

    private KubernetesManifests(Map<String, Object> kustomization) {
        this.kustomization = kustomization;
    }

    static KubernetesManifests read() throws IOException {
        Path dir = Repo.path(DIR.toString());
        KubernetesManifests manifests =
                new KubernetesManifests(yaml(dir.resolve("kustomization.yaml")).get(0));
        for (Object file : list(manifests.kustomization, "resources")) {
            for (Map<String, Object> doc :
                    yaml(Repo.path(DIR.resolve((String) file).toString()))) {
                String key = string(doc, "kind") + "/" + string(doc, "metadata", "name");
                assertNotNull(string(doc, "apiVersion"), key);
                assertTrue(manifests.resources.put(key, doc) == null, "two resources " + key);
            }
        }
        return manifests;
    }

    List<Map<String, Object>> statefulSets() {
        return resources.values().stream()
                .filter(r -> r.get("kind").equals("StatefulSet"))
                .toList();
    }

    Map<String, Object> statefulSet(String component) {
        return statefulSets().stream()
                .filter(s -> component.equals(
                        map(s, "spec", "template", "metadata", "labels").get("app.kubernetes.io/component")))
                .findFirst()
                .orElseGet(() -> fail("no StatefulSet of " + component));
    }

    Map<String, Object> resource(String kind, String name) {
        Map<String, Object> r = resources.get(kind + "/" + name);
        assertNotNull(r, kind + " " + name + " does not exist; there are " + resources.keySet());
        return r;
    }

    /** The node.id of the StatefulSet's pod 0; pod N has this + N. */
    static int nodeIdOffset(Map<String, Object> sts) {
        String command = String.join(" ", list(containers(sts).get(0), "command"));
        Matcher m = NODE_ID_OFFSET.matcher(command);
        assertTrue(m.find(), "node.id from the pod's ordinal: " + command);
        return Integer.parseInt(m.group(1));
    }

    static List<Map<String, Object>> containers(Map<String, Object> sts) {
        return list(sts, "spec", "template", "spec", "containers").stream()
                .map(KubernetesManifests::map)
                .toList();
    }

    static List<Map<String, Object>> yaml(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            if (doc != null) {
                docs.add(map(doc));
            }
        }
        assertFalse(docs.isEmpty(), file + " has no document");
        return docs;
    }

    static Object at(Map<String, Object> node, String... path) {
        Object value = node;
        for (String key : path) {
            value = value == null ? null : map(value).get(key);
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        assertTrue(value instanceof Map, () -> "not a mapping: " + value);
        return (Map<String, Object>) value;
    }

    static Map<String, Object> map(Map<String, Object> node, String... path) {
        return map(at(node, path));
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> list(Map<String, Object> node, String... path) {
        Object value = at(node, path);
        assertTrue(value == null || value instanceof List, () -> String.join(".", path) + " is not a list: " + value);
        return value == null ? List.of() : (List<T>) value;
    }

    static String string(Map<String, Object> node, String... path) {
        Object value = at(node, path);
        return value == null ? null : value.toString();
    }
}
