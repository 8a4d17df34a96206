package io.ferry.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.ferry.architecture.fixture.high.HighApi;
import io.ferry.architecture.fixture.high.UsesLowInternal;
import io.ferry.architecture.fixture.high.a.A;
import io.ferry.architecture.fixture.high.b.B;
import io.ferry.architecture.fixture.low.LowApi;
import io.ferry.architecture.fixture.low.ReachesDeep;
import io.ferry.architecture.fixture.low.UsesHigh;
import io.ferry.architecture.fixture.low.internal.LowImpl;
import io.ferry.architecture.fixture.low.internal.deep.Deep;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule of {@link BoundaryRules} passes the fixture's sound classes and fails on each kind of violation. */
class BoundaryRulesTest {

    private static final String HEADER = "| module | package | owns | may depend on |\n|---|---|---|---|\n";
    private static final ModuleTable TABLE = table("""
            | `low` | `io.ferry.architecture.fixture.low` | the lower module | — |
            | `high` | `io.ferry.architecture.fixture.high` | the upper module | `low` |
            """);

    private static ModuleTable table(String rows) {
        return ModuleTable.parse((HEADER + rows).lines().toList());
    }

    private static JavaClasses classes(Class<?>... types) {
        return new ClassFileImporter().importClasses(types);
    }

    private static boolean cyclic(Class<?>... types) {
        return BoundaryRules.noPackageCycle(TABLE).evaluate(classes(types)).hasViolation();
    }

    @Test
    void anArrowOfTheTableAndAModulesOwnInternalPackagePass() {
        Map<String, JavaClasses> modules =
                Map.of("low", classes(LowApi.class, LowImpl.class), "high", classes(HighApi.class));
        assertEquals(List.of(), BoundaryRules.internalUses(TABLE, modules));
        assertEquals(List.of(), BoundaryRules.strayDependencies(TABLE, modules));
        assertFalse(
                cyclic(LowApi.class, LowImpl.class, HighApi.class),
                "a module's root and internal package may use each other");
    }

    @Test
    void anotherModulesInternalPackageIsAViolationUnlessItsRowNamesIt() {
        Map<String, JavaClasses> modules = Map.of("high", classes(UsesLowInternal.class));
        List<String> violations = BoundaryRules.internalUses(TABLE, modules);
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("high → low.internal: "), violations.get(0));

        ModuleTable allowing = table("""
                | `low` | `io.ferry.architecture.fixture.low` | the lower module | — |
                | `high` | `io.ferry.architecture.fixture.high` | the upper module | `low`, `low.internal` |
                """);
        assertEquals(List.of(), BoundaryRules.internalUses(allowing, modules));
    }

    @Test
    void aDependencyThatIsNoArrowOfTheTableIsAViolation() {
        List<String> violations = BoundaryRules.strayDependencies(TABLE, Map.of("low", classes(UsesHigh.class)));
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("low → high: "), violations.get(0));
    }

    @Test
    void aFerryClassInNoModulesPackageIsAViolation() {
        ModuleTable lowOnly = table("| `low` | `io.ferry.architecture.fixture.low` | the lower module | — |\n");
        List<String> violations = BoundaryRules.strayDependencies(lowOnly, Map.of("low", classes(UsesHigh.class)));
        assertEquals(
                List.of("low: " + HighApi.class.getName() + " (used by " + UsesHigh.class.getName()
                        + ") is in no module's package"),
                violations);
    }

    @Test
    void aCycleBetweenTwoPackagesOfAModuleIsAViolation() {
        assertTrue(cyclic(A.class, B.class));
    }

    @Test
    void aCycleThroughAPackageBelowInternalIsAViolation() {
        assertFalse(cyclic(LowApi.class, Deep.class), "one way only");
        assertTrue(cyclic(LowApi.class, Deep.class, ReachesDeep.class));
    }

    @Test
    void aCycleBetweenModulesIsAViolation() {
        assertTrue(cyclic(LowApi.class, HighApi.class, UsesHigh.class));
    }
}
