import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Readiness and smoke checks for the local broker, run by scripts/services with the broker's own classpath so
 * they need nothing but Java (no node_modules).
 *
 *   ready BOOTSTRAP SECONDS   wait until the broker answers metadata and admin requests
 *   txn BOOTSTRAP             one exactly-once round trip: a transactional producer writes a record, a
 *                             read_committed consumer reads it, and a second transaction writes a derived record
 *                             together with the consumer's offset (consume-decide-produce). Running it once also
 *                             creates __consumer_offsets and __transaction_state, so the first client transaction
 *                             in a test does not pay for that.
 */
public final class KafkaProbe {
    private static final String TOPIC_IN = "services-smoke";
    private static final String TOPIC_OUT = "services-smoke-out";

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaProbe ready BOOTSTRAP SECONDS | txn BOOTSTRAP");
            System.exit(2);
        }
        switch (args[0]) {
            case "ready" -> System.exit(ready(args[1], args.length > 2 ? Integer.parseInt(args[2]) : 60));
            case "txn" -> System.exit(txn(args[1]));
            default -> {
                System.err.println("unknown check: " + args[0]);
                System.exit(2);
            }
        }
    }

    private static Properties adminProps(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return p;
    }

    private static int ready(String bootstrap, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try (Admin admin = Admin.create(adminProps(bootstrap))) {
                var cluster = admin.describeCluster();
                int nodes = cluster.nodes().get(5, TimeUnit.SECONDS).size();
                var controller = cluster.controller().get(5, TimeUnit.SECONDS);
                admin.listTopics().names().get(5, TimeUnit.SECONDS);
                if (nodes > 0 && controller != null && !controller.isEmpty()) {
                    System.out.println("kafka ready: cluster " + cluster.clusterId().get() + ", " + nodes + " node(s)");
                    return 0;
                }
                last = "no controller yet";
            } catch (Exception e) {
                last = rootMessage(e);
            }
            Thread.sleep(500);
        }
        System.err.println("kafka not ready after " + seconds + " s: " + last);
        return 1;
    }

    private static int txn(String bootstrap) throws Exception {
        long started = System.nanoTime();
        try (Admin admin = Admin.create(adminProps(bootstrap))) {
            for (String topic : List.of(TOPIC_IN, TOPIC_OUT)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(15, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
        }
        String marker = UUID.randomUUID().toString();
        String group = "services-smoke-" + marker;

        try (KafkaProducer<String, String> producer = producer(bootstrap, "services-smoke-in");
             KafkaConsumer<String, String> consumer = consumer(bootstrap, group);
             KafkaProducer<String, String> decider = producer(bootstrap, "services-smoke-decider")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC_IN, "smoke", marker)).get(15, TimeUnit.SECONDS);
            producer.commitTransaction();

            consumer.subscribe(List.of(TOPIC_IN));
            ConsumerRecord<String, String> found = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (found == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (marker.equals(r.value())) found = r;
                }
            }
            if (found == null) {
                System.err.println("kafka smoke: the committed record was not read back within 60 s");
                return 1;
            }

            decider.initTransactions();
            decider.beginTransaction();
            decider.send(new ProducerRecord<>(TOPIC_OUT, "smoke", "decided:" + marker)).get(15, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> offsets = Collections.singletonMap(
                    new TopicPartition(found.topic(), found.partition()), new OffsetAndMetadata(found.offset() + 1));
            decider.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            decider.commitTransaction();

            // commitTransaction returns once the commit is decided; the markers that make the transactional offset
            // visible to the group coordinator are written right after, so on a fresh node the first look can
            // still see nothing (seen in CI): look again until it shows, for a bounded time.
            try (Admin admin = Admin.create(adminProps(bootstrap))) {
                TopicPartition read = new TopicPartition(found.topic(), found.partition());
                OffsetAndMetadata got = null;
                long offsetDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < offsetDeadline) {
                    got = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                            .get(15, TimeUnit.SECONDS).get(read);
                    if (got != null && got.offset() == found.offset() + 1) break;
                    Thread.sleep(200);
                }
                if (got == null || got.offset() != found.offset() + 1) {
                    System.err.println("kafka smoke: the transaction did not commit the consumer offset within 30 s: " + got);
                    return 1;
                }
            }
        }
        System.out.printf("kafka smoke ok: transactional produce, read_committed consume, offsets committed in a "
                + "transaction (%d ms)%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return 0;
    }

    private static KafkaProducer<String, String> producer(String bootstrap, String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30000);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
