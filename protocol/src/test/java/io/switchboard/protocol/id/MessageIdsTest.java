package io.switchboard.protocol.id;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

    @Test
    void idsAreUniqueAndSortByCreationEvenWithinOneMillisecond() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(MessageIds.next());
        }

        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(ids).isSorted();
    }

    @Test
    void idsCarryTheirCreationTime() {
        long before = System.currentTimeMillis();
        String id = MessageIds.next();
        long after = System.currentTimeMillis();

        assertThat(MessageIds.timestampOf(id)).isBetween(before, after);
    }
}
