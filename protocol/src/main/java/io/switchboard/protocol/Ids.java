package io.switchboard.protocol;

import java.util.regex.Pattern;

/**
 * The shape of the identifiers that clients send: user ids, device names and client message ids
 * ({@code cid}). One rule for every service, so that a value accepted at the edge is valid everywhere.
 */
public final class Ids {

    /** User ids and device names: 1–128 chars of letters, digits and {@code . _ - @ :}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@:\\-]{1,128}");

    /** Group ids: 1–64 chars of letters, digits and {@code . _ -}. */
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._\\-]{1,64}");

    /**
     * Addresses a group where a user id is expected ({@code "to":"group:<id>"}); user ids starting
     * with it are reserved and refused.
     */
    public static final String GROUP_PREFIX = "group:";

    /** A client message id: 1–64 printable ASCII chars. */
    private static final Pattern CID = Pattern.compile("[\\x21-\\x7E]{1,64}");

    private Ids() {}

    public static boolean isValidUserId(String value) {
        return value != null && NAME.matcher(value).matches() && !value.startsWith(GROUP_PREFIX);
    }

    public static boolean isValidGroupId(String value) {
        return value != null && GROUP.matcher(value).matches();
    }

    /** The group id of a {@code group:<id>} address, or {@code null} when it is not a group address. */
    public static String groupOf(String address) {
        return address != null && address.startsWith(GROUP_PREFIX) ? address.substring(GROUP_PREFIX.length()) : null;
    }

    public static boolean isValidDevice(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    public static boolean isValidCid(String value) {
        return value != null && CID.matcher(value).matches();
    }
}
