package io.switchboard.loadgen.report;

/** One of the targets, what was measured against it, and whether it was met. */
public record TargetCheck(String target, String measured, String verdict) {

    public static final String MET = "met";
    public static final String MISSED = "missed";
    public static final String PENDING = "pending";
}
