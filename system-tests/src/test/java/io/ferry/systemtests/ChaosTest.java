package io.ferry.systemtests;

import static org.awaitility.Awaitility.await;

import io.ferry.client.FerryException;
import io.ferry.client.PartitionInfo;
import io.ferry.client.TopicDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults under load: 3 controllers and 3 brokers as processes, a topic of {@value #PARTITIONS}
 * partitions with replication factor 3 and {@code min.insync.replicas=2}, {@value #PRODUCERS}
 * {@code acks=all} producers. Until the run's time is up, a seeded random schedule kills (kill -9) a
 * random broker, lets the load make progress without it, restarts it and waits until it is back in
 * every ISR, so at most one broker is ever down and {@code min.insync.replicas=2} stays satisfiable.
 * Once, a third into the run, it kill -9s the active controller instead and restarts it after a new
 * one has taken over. Then, with every node up, the {@link DurabilityInvariants} must hold.
 *
 * <p>Knobs, as system properties of the test JVM (surefire passes {@code -D} options through):
 * <ul>
 *   <li>{@code ferry.chaos.seconds}: length of the fault phase, default {@value #DEFAULT_SECONDS}. For a
 *       long run, raise the surefire fork timeout too:
 *       {@code ./mvnw -B -o verify -pl system-tests -am -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false
 *       -Dferry.chaos.seconds=600 -Dsurefire.timeout=1200}</li>
 *   <li>{@code ferry.chaos.seed}: the seed of the fault schedule. Each run prints its seed (in
 *       {@code system-tests/target/surefire-reports/io.ferry.systemtests.ChaosTest-output.txt}) and every
 *       failure message names it; pass it back to replay the same schedule (the timing of the processes
 *       still differs).</li>
 * </ul>
 */
class ChaosTest {

    private static final String TOPIC = "chaos";
    private static final int PARTITIONS = 6;
    private static final int PRODUCERS = 3;
    private static final int DEFAULT_SECONDS = 90;
    /** Records a second per producer: the ledger of a ten-minute run stays a few tens of megabytes. */
    private static final int RATE_PER_PRODUCER = 300;
    /** An upper bound on fault rounds whatever the duration: each round is at least one kill and restart. */
    private static final int MAX_ROUNDS = 500;

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);

    private ProcessCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void acknowledgedRecordsSurviveRandomBrokerAndControllerKills() throws Exception {
        int seconds = Integer.getInteger("ferry.chaos.seconds", DEFAULT_SECONDS);
        long seed = Long.getLong("ferry.chaos.seed", new Random().nextLong());
        String replay = "replay with -Dferry.chaos.seed=" + seed + " -Dferry.chaos.seconds=" + seconds;
        System.out.println("ChaosTest: " + replay);
        Random random = new Random(seed);
        List<String> events = new ArrayList<>();

        cluster = ProcessCluster.startWithDurableTopic("chaos", TOPIC, PARTITIONS);
        awaitFullIsr();
        AckLedger ledger = new AckLedger();
        Duration loadLimit = Duration.ofSeconds(seconds).plus(Duration.ofMinutes(10));
        try (LoadGenerator load = new LoadGenerator(
                cluster.bootstrap(),
                TOPIC,
                PARTITIONS,
                PRODUCERS,
                Long.MAX_VALUE,
                RATE_PER_PRODUCER,
                loadLimit,
                ledger)) {
            load.start();
            load.awaitProgress(200, STEP_TIMEOUT);

            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(seconds).toNanos();
            long controllerKillAt = start + Duration.ofSeconds(seconds).toNanos() / 3;
            boolean controllerKilled = false;
            for (int round = 0; round < MAX_ROUNDS && System.nanoTime() < end; round++) {
                try {
                    if (!controllerKilled && System.nanoTime() >= controllerKillAt) {
                        controllerKilled = true;
                        killAndRestartActiveController(load, random, events);
                    } else {
                        killAndRestartBroker(load, random, events);
                    }
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(
                            "chaos round " + round + " failed (" + replay + "); events so far:\n  "
                                    + String.join("\n  ", events),
                            e);
                }
            }
            if (!controllerKilled) {
                killAndRestartActiveController(load, random, events);
            }
            System.out.println("ChaosTest events:\n  " + String.join("\n  ", events) + "\nload: " + load.stop());
        }
        DurabilityInvariants.verify(cluster, TOPIC, ledger, replay + "; events: " + events);
    }

    private void killAndRestartBroker(LoadGenerator load, Random random, List<String> events) throws Exception {
        int broker = ProcessCluster.BROKER_IDS.get(random.nextInt(ProcessCluster.BROKER_IDS.size()));
        int progress = 50 + random.nextInt(450);
        events.add("kill -9 broker " + broker + ", then " + progress + " acknowledged records");
        cluster.kill(broker);
        load.awaitProgress(progress, STEP_TIMEOUT);
        events.add("restart broker " + broker);
        cluster.restart(broker);
        awaitFullIsr();
        load.awaitProgress(progress, STEP_TIMEOUT);
    }

    private void killAndRestartActiveController(LoadGenerator load, Random random, List<String> events)
            throws Exception {
        int controller = cluster.activeController();
        int progress = 50 + random.nextInt(450);
        events.add("kill -9 active controller " + controller + ", then " + progress + " acknowledged records");
        cluster.kill(controller);
        int successor = cluster.awaitActiveController(id -> id != controller, STEP_TIMEOUT);
        events.add("controller " + successor + " took over");
        load.awaitProgress(progress, STEP_TIMEOUT);
        events.add("restart controller " + controller);
        cluster.restart(controller);
        load.awaitProgress(progress, STEP_TIMEOUT);
    }

    /** Every partition has all its replicas in the ISR again, so the next kill leaves two. */
    private void awaitFullIsr() {
        try {
            await().atMost(STEP_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreException(FerryException.class)
                    .until(() -> shrunkIsrs().isEmpty());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("ISRs not full within " + STEP_TIMEOUT + ": " + shrunkIsrs(), e);
        }
    }

    private List<String> shrunkIsrs() {
        TopicDescription topic = cluster.admin().describeTopics(List.of(TOPIC)).get(TOPIC);
        List<String> shrunk = new ArrayList<>();
        for (PartitionInfo p : topic.partitions()) {
            if (!p.isr().containsAll(p.replicas())) {
                shrunk.add(TOPIC + "-" + p.partition() + " replicas " + p.replicas() + " isr " + p.isr());
            }
        }
        return shrunk;
    }
}
