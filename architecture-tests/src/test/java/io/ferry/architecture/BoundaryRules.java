package io.ferry.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The rules of {@code docs/architecture.md}'s module table, as functions of the table and of each module's
 * compiled classes (a class's module is the module it was compiled in), so that they can be tried on small
 * examples as well as on the build. Each check answers its violations, one line each, sorted, without repeats.
 */
final class BoundaryRules {

    private static final String FERRY = "io.ferry.";

    private BoundaryRules() {}

    /**
     * Uses of a module's {@code internal} packages (or those below them) by classes of another module that
     * the table does not allow ({@code module.internal} in its row). Main and test classes alike: a test
     * that reaches into another module's internals breaks when they change.
     */
    static List<String> internalUses(ModuleTable table, Map<String, JavaClasses> classesByModule) {
        List<String> violations = new ArrayList<>();
        classesByModule.forEach((module, classes) -> {
            for (Dependency d : crossModule(table, module, classes, violations)) {
                ModuleTable.Row target =
                        table.moduleOf(d.getTargetClass().getName()).orElseThrow();
                if (ModuleTable.isInternal(target, d.getTargetClass().getPackageName())
                        && !table.rows().get(module).internalsOf().contains(target.module())) {
                    violations.add(module + " → " + target.module() + ".internal: " + d.getDescription());
                }
            }
        });
        return distinct(violations);
    }

    /** Dependencies of the given classes on another module that are no arrow of the table. */
    static List<String> strayDependencies(ModuleTable table, Map<String, JavaClasses> classesByModule) {
        List<String> violations = new ArrayList<>();
        classesByModule.forEach((module, classes) -> {
            for (Dependency d : crossModule(table, module, classes, violations)) {
                String target = table.moduleOf(d.getTargetClass().getName())
                        .orElseThrow()
                        .module();
                if (!table.rows().get(module).mayDependOn().contains(target)) {
                    violations.add(module + " → " + target + ": " + d.getDescription());
                }
            }
        });
        return distinct(violations);
    }

    /**
     * No cycle between Ferry packages. A module's root package and its {@code internal} package (that one,
     * not those below it) count as one: the root holds the module's API, whose entry points build the
     * implementation, and the implementation speaks the API's types (STYLE.md's first rule, as in Kafka's
     * {@code raft} and {@code raft.internals}). Every other package stands alone, so a cycle between two
     * modules, between packages of one module, or through a package below {@code internal} is a violation.
     */
    static ArchRule noPackageCycle(ModuleTable table) {
        SliceAssignment packages = new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String name = javaClass.getPackageName();
                if (!name.startsWith(FERRY)) {
                    return SliceIdentifier.ignore();
                }
                return SliceIdentifier.of(table.internalPackageOf(name)
                        .map(ModuleTable.Row::javaPackage)
                        .orElse(name));
            }

            @Override
            public String getDescription() {
                return "Ferry packages, each module's internal package with its root package";
            }
        };
        return slices().assignedFrom(packages).should().beFreeOfCycles();
    }

    /**
     * Dependencies of {@code classes} (compiled in {@code module}) on Ferry classes of other modules; a
     * dependency on a Ferry class in no module's package is added to {@code violations}.
     */
    private static List<Dependency> crossModule(
            ModuleTable table, String module, JavaClasses classes, List<String> violations) {
        List<Dependency> out = new ArrayList<>();
        for (JavaClass c : classes) {
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getName();
                if (!target.startsWith(FERRY)) {
                    continue;
                }
                Optional<ModuleTable.Row> owner = table.moduleOf(target);
                if (owner.isEmpty()) {
                    violations.add(module + ": " + target + " (used by " + c.getName() + ") is in no module's package");
                } else if (!owner.get().module().equals(module)) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    private static List<String> distinct(List<String> violations) {
        return new ArrayList<>(new TreeSet<>(violations));
    }
}
