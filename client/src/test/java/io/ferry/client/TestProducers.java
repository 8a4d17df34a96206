package io.ferry.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Producers bootstrapped on a {@link FakeCluster}, closed together (at once) by {@link #close}. */
final class TestProducers implements AutoCloseable {

    private final FakeCluster cluster;
    private final List<FerryProducer> open = new ArrayList<>();

    TestProducers(FakeCluster cluster) {
        this.cluster = cluster;
    }

    /** A producer with {@code retry.backoff.ms=20}, then the settings given as key, value, key, value, .... */
    FerryProducer create(Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", cluster.bootstrap());
        props.put("retry.backoff.ms", 20);
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        FerryProducer producer = new FerryProducer(ProducerConfig.of(props));
        open.add(producer);
        return producer;
    }

    @Override
    public void close() {
        open.forEach(p -> p.close(Duration.ZERO));
    }
}
