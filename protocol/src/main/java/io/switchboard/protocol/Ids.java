package io.switchboard.protocol;

import java.util.regex.Pattern;

/**
 * The shape of the identifiers that clients send: user ids, device names and client message ids
 * ({@code cid}). One rule for every service, so that a value accepted at the edge is valid everywhere.
 */
public final class Ids {

    /** User ids and device names: 1–128 chars of letters, digits and {@code . _ - @ :}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@:\\-]{1,128}");

    /** A client message id: 1–64 printable ASCII chars. */
    private static final Pattern CID = Pattern.compile("[\\x21-\\x7E]{1,64}");

    private Ids() {}

    public static boolean isValidUserId(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    public static boolean isValidDevice(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    public static boolean isValidCid(String value) {
        return value != null && CID.matcher(value).matches();
    }
}
