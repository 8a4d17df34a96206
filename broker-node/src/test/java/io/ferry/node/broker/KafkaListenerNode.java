package io.ferry.node.broker;

import static org.awaitility.Awaitility.await;

import io.ferry.node.FerryNode;
import io.ferry.node.NodeConfig;
import io.ferry.testsupport.LoopbackPorts;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A combined node with a Kafka listener on loopback, and Kafka's clients configured for it. */
final class KafkaListenerNode implements AutoCloseable {

    final FerryNode node;
    final ManagedChannel grpc;
    final int kafkaPort;

    private KafkaListenerNode(FerryNode node, ManagedChannel grpc, int kafkaPort) {
        this.node = node;
        this.grpc = grpc;
        this.kafkaPort = kafkaPort;
    }

    /** Starts the node with its logs under {@code dir}; returns once it is healthy. */
    static KafkaListenerNode start(Path dir) throws Exception {
        int kafkaPort = LoopbackPorts.freePort();
        List<String> settings =
                new ArrayList<>(BrokerTestSupport.combinedNode(LoopbackPorts.freePort(), dir.resolve("logs")));
        settings.add("kafka.listeners=PLAINTEXT://127.0.0.1:" + kafkaPort);
        FerryNode node = FerryNode.start(NodeConfig.load(Optional.empty(), Map.of(), settings));
        await().atMost(Duration.ofSeconds(30)).until(node::isHealthy);
        return new KafkaListenerNode(node, BrokerTestSupport.channel(node), kafkaPort);
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    Properties producerConfig() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return config;
    }

    /** A consumer of strings that commits only when told. */
    Properties consumerConfig() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return config;
    }

    /** Writes {@code count} records, valued {@code prefix} and their index, and waits for every acknowledgement. */
    void produce(String topic, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig())) {
            List<Future<RecordMetadata>> acked = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                acked.add(producer.send(new ProducerRecord<>(topic, "k" + i, prefix + i)));
            }
            for (Future<RecordMetadata> f : acked) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Subscribes a member of the group, polls until {@code expected} records came, commits them and leaves. */
    static List<String> consumeInGroup(Properties config, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return values;
    }

    @Override
    public void close() throws Exception {
        grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }
}
