package io.ferry.replication.simulation;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The replication simulation over many seeds, and over each {@link Mutant}; see {@link Simulation} and
 * docs/architecture.md.
 *
 * <p>{@code -Dferry.simulation.seeds=N} runs N seeds instead of {@value #DEFAULT_SEEDS}, from
 * {@code -Dferry.simulation.firstSeed} (1). {@code -Dferry.simulation.seed=S} with the {@link #replay} test runs
 * seed S alone and prints its trace; {@code -Dferry.simulation.mutant=NAME} replays it with that mutant. Every
 * failure prints its seed and the command that replays it.
 */
class ReplicationSimulationTest {

    /** Seeds of a CI run: some 30 s of the build on two cores (docs/architecture.md). */
    private static final int DEFAULT_SEEDS = 2_000;
    /** How many seeds a mutant may take to be caught; each is caught far sooner. */
    private static final int MUTANT_SEEDS = 200;

    static String replayCommand(long seed, Wiring wiring) {
        return "./mvnw -B -ntp -q -pl replication -am test -Dtest=ReplicationSimulationTest#replay"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dferry.simulation.seed=" + seed
                + (wiring instanceof Mutant m ? " -Dferry.simulation.mutant=" + m.name() : "");
    }

    private static String report(Simulation.Outcome outcome) {
        return outcome + "\n  replay: " + replayCommand(outcome.seed(), outcome.wiring());
    }

    @Test
    void everySeedKeepsEveryInvariant() {
        int seeds = Integer.getInteger("ferry.simulation.seeds", DEFAULT_SEEDS);
        long first = Long.getLong("ferry.simulation.firstSeed", 1L);
        // Runs share nothing, so they run side by side; each is deterministic on its own.
        List<String> failures = LongStream.range(first, first + seeds)
                .parallel()
                .mapToObj(seed -> Simulation.run(seed, Wiring.FERRY))
                .filter(outcome -> !outcome.ok())
                .map(ReplicationSimulationTest::report)
                .collect(Collectors.toList());
        failures.forEach(System.out::println);
        assertTrue(
                failures.isEmpty(),
                failures.size() + " of " + seeds + " seeds failed:\n" + String.join("\n", failures));
    }

    /** Each mutant breaks an invariant on purpose: the first seed that fails names one it breaks. */
    @ParameterizedTest
    @EnumSource(Mutant.class)
    void eachMutantIsCaughtByTheInvariantItBreaks(Mutant mutant) {
        for (long seed = 1; seed <= MUTANT_SEEDS; seed++) {
            Simulation.Outcome outcome = Simulation.run(seed, mutant);
            if (!outcome.ok()) {
                System.out.println(report(outcome));
                assertTrue(mutant.breaks().contains(outcome.violation().invariant), report(outcome));
                return;
            }
        }
        fail("no seed of 1.." + MUTANT_SEEDS + " caught " + mutant);
    }

    @Test
    void replay() {
        Long seed = Long.getLong("ferry.simulation.seed");
        assumeTrue(seed != null, "give the seed to replay with -Dferry.simulation.seed");
        String mutant = System.getProperty("ferry.simulation.mutant");
        Wiring wiring = mutant == null ? Wiring.FERRY : Mutant.valueOf(mutant);
        Simulation.Outcome outcome = Simulation.run(seed, wiring, true);
        System.out.println(outcome.trace());
        assertTrue(outcome.ok(), report(outcome));
    }
}
