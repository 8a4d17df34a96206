package io.ferry.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The module boundaries of {@code docs/architecture.md} ({@link BoundaryRules}), checked against the compiled
 * classes of every module of the build: each module's {@code target/classes} and {@code target/test-classes},
 * so a class's module is the module it was compiled in. This module depends on every other one, so the
 * reactor compiles them all before these tests run; a module that has sources but no classes fails the test
 * rather than being skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModuleBoundariesTest {

    private static final Pattern POM_MODULE = Pattern.compile("<module>([^<]+)</module>");
    /** Most violations one failure lists. */
    private static final int SHOWN = 40;

    private Path root;
    private ModuleTable table;
    private List<String> modules;
    /** Per module of the build: its main classes, and its test classes. */
    private final Map<String, JavaClasses> main = new LinkedHashMap<>();

    private final Map<String, JavaClasses> tests = new LinkedHashMap<>();

    @BeforeAll
    void importEveryModule() {
        root = projectRoot();
        table = ModuleTable.read(root);
        modules = buildModules();
        ClassFileImporter importer = new ClassFileImporter();
        List<String> notCompiled = new ArrayList<>();
        for (String module : modules) {
            main.put(module, importer.importPaths(compiled(module, "src/main", "target/classes", notCompiled)));
            tests.put(
                    module,
                    importer.importPaths(compiled(module, "src/test/java", "target/test-classes", notCompiled)));
        }
        assertNone(
                "modules with sources but no classes (not built before architecture-tests: each module of "
                        + "the build must be a dependency of architecture-tests/pom.xml)",
                notCompiled);
    }

    /** {@code classes} of {@code module}, if it has {@code sources}; an absent directory is noted. */
    private List<Path> compiled(String module, String sources, String classes, List<String> notCompiled) {
        Path dir = root.resolve(module).resolve(classes);
        if (!Files.isDirectory(root.resolve(module).resolve(sources))) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            notCompiled.add(module + ": no " + classes);
            return List.of();
        }
        return List.of(dir);
    }

    /** The directory with the root {@code pom.xml}: this module's parent. */
    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(ModuleTable.DOC))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no " + ModuleTable.DOC + " above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The modules the root {@code pom.xml} builds. */
    private List<String> buildModules() {
        String pom;
        try {
            pom = Files.readString(root.resolve("pom.xml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> names = new ArrayList<>();
        Matcher m = POM_MODULE.matcher(pom);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void theTableNamesEveryModuleOfTheBuildAndEveryClassIsInItsModulesPackage() {
        assertEquals(
                new TreeSet<>(modules),
                new TreeSet<>(table.rows().keySet()),
                "the modules of pom.xml and of " + ModuleTable.DOC + "'s table");
        List<String> misplaced = new ArrayList<>();
        for (String module : modules) {
            String javaPackage = table.rows().get(module).javaPackage();
            for (JavaClasses classes : List.of(main.get(module), tests.get(module))) {
                classes.stream()
                        .filter(c -> !c.getName().startsWith(javaPackage + "."))
                        .forEach(c -> misplaced.add(module + ": " + c.getName() + " is outside " + javaPackage));
            }
        }
        assertNone("classes outside their module's package", misplaced);
    }

    @Test
    void noModuleUsesAnotherModulesInternalPackages() {
        List<String> violations = new ArrayList<>(BoundaryRules.internalUses(table, main));
        violations.addAll(BoundaryRules.internalUses(table, tests));
        assertNone("uses of another module's internal packages", violations);
    }

    /**
     * Main code only, and the tests of a module that has nothing else (system-tests): other tests may use
     * whatever starts what they test (the CLI's tests start a node).
     */
    @Test
    void everyDependencyOfAModuleOnAnotherIsAnArrowOfTheTable() {
        Map<String, JavaClasses> checked = new LinkedHashMap<>(main);
        for (String module : modules) {
            if (main.get(module).isEmpty()) {
                checked.put(module, tests.get(module));
            }
        }
        assertNone(
                "dependencies that are no arrow of " + ModuleTable.DOC + "'s table",
                BoundaryRules.strayDependencies(table, checked));
    }

    @Test
    void noPackageCycle() {
        JavaClasses everything = new ClassFileImporter()
                .importPaths(modules.stream()
                        .map(m -> root.resolve(m).resolve("target/classes"))
                        .filter(Files::isDirectory)
                        .toList());
        BoundaryRules.noPackageCycle(table).check(everything);
    }

    private static void assertNone(String what, List<String> violations) {
        List<String> distinct = new ArrayList<>(new TreeSet<>(violations));
        assertTrue(
                distinct.isEmpty(),
                distinct.size() + " " + what + ":\n  "
                        + String.join("\n  ", distinct.subList(0, Math.min(SHOWN, distinct.size()))));
    }
}
