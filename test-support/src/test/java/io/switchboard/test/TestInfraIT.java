package io.switchboard.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TestInfraIT {

    @Test
    void kafkaIsSharedByTheWholeJvmAndAnswers() throws Exception {
        String bootstrap = TestInfra.kafkaBootstrapServers();
        assertThat(TestInfra.kafkaBootstrapServers()).isSameAs(bootstrap);

        String topic = TestInfra.uniqueId("t");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            assertThat(admin.listTopics().names().get()).contains(topic);
        }
    }

    @Test
    void redisAnswersPing() throws Exception {
        URI uri = URI.create(TestInfra.redisUri());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(reply).isEqualTo("+PONG");
        }
    }

    @Test
    void uniqueIdsDoNotRepeat() {
        assertThat(TestInfra.uniqueId("u")).startsWith("u-").isNotEqualTo(TestInfra.uniqueId("u"));
    }
}
