package io.switchboard.offline.sequencing;

/** The meters offline-service publishes; names are part of the operations contract. */
public enum OfflineMeters {
    /** Counter: inbound messages stored and forwarded (a record redelivered after a crash counts again). */
    MESSAGES_STORED("switchboard.messages.stored"),
    /** Counter: inbound records that were not a valid envelope and were skipped (tag: reason). */
    RECORDS_REJECTED("switchboard.offline.records.rejected"),
    /** Timer: time from a batch's arrival to its stored-and-forwarded commit. */
    BATCH_DURATION("switchboard.offline.batch.duration"),
    /**
     * Timer: of a batch's time, the part spent storing it in the inboxes (one Redis call); the rest
     * of {@link #BATCH_DURATION} is handing it on to routing.
     */
    STORE_DURATION("switchboard.offline.store.duration");

    private final String meterName;

    OfflineMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }
}
