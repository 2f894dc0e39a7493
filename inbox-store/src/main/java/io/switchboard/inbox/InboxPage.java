package io.switchboard.inbox;

import io.switchboard.protocol.envelope.SequencedMessage;
import java.util.List;
import java.util.Optional;

/**
 * One read of a recipient's inbox: the messages after {@code after}, and where the stored range
 * begins and ends at the moment of the read.
 *
 * @param after the seq the read started after
 * @param messages stored messages with seq &gt; {@code after}, ascending and contiguous
 * @param firstStoredSeq the lowest seq still stored; {@code lastSeq + 1} when nothing is stored
 * @param lastSeq the highest seq ever given to the recipient (0 when none)
 */
public record InboxPage(long after, List<SequencedMessage> messages, long firstStoredSeq, long lastSeq) {

    public InboxPage {
        messages = List.copyOf(messages);
    }

    /** Seqs in {@code (after, lastSeq]} that were dropped (retention or cap) and can never be read. */
    public Optional<Gap> gap() {
        long firstReadable = Math.min(firstStoredSeq, lastSeq + 1);
        return after + 1 < firstReadable ? Optional.of(new Gap(after + 1, firstReadable - 1)) : Optional.empty();
    }

    /** True when this page reaches the newest message: nothing newer was stored at the time of the read. */
    public boolean reachesEnd() {
        long reached = messages.isEmpty()
                ? Math.max(after, firstStoredSeq - 1)
                : messages.get(messages.size() - 1).seq();
        return reached >= lastSeq;
    }

    /** An inclusive range of seqs that can no longer be delivered. */
    public record Gap(long from, long to) {}
}
