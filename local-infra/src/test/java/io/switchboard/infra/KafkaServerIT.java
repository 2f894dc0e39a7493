package io.switchboard.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaServerIT {

    @Test
    void aProducedRecordIsConsumedAndStillThereAfterARestart(@TempDir Path dir) throws Exception {
        try (KafkaServer kafka =
                KafkaServer.start(KafkaServer.Options.defaults().dataDir(dir))) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1)))
                        .all()
                        .get();
            }
            try (var producer = new KafkaProducer<>(
                    Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
                    new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>("t", "k", "survives")).get();
            }
            assertThat(readAll(kafka.bootstrapServers(), "t")).containsExactly("survives");
        }

        try (KafkaServer kafka =
                KafkaServer.start(KafkaServer.Options.defaults().dataDir(dir))) {
            assertThat(readAll(kafka.bootstrapServers(), "t")).containsExactly("survives");
        }
    }

    @Test
    void topicsAreNotCreatedByAccident() throws Exception {
        try (KafkaServer kafka = KafkaServer.start(KafkaServer.Options.defaults());
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            try (var consumer = new KafkaConsumer<>(
                    Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.partitionsFor("nobody-created-me", Duration.ofSeconds(2));
            }
            assertThat(admin.listTopics().names().get()).doesNotContain("nobody-created-me");
        }
    }

    private static List<String> readAll(String bootstrap, String topic) {
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of("bootstrap.servers", bootstrap),
                new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            return consumer.poll(Duration.ofSeconds(10)).records(tp).stream()
                    .map(ConsumerRecord::value)
                    .toList();
        }
    }
}
