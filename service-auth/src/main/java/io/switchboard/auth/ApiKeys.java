package io.switchboard.auth;

import java.util.List;

/** The rules for configured API keys ({@code switchboard.api.keys}), the same on every service. */
public final class ApiKeys {

    /** Shorter keys are refused at start-up: an API key is a password. */
    public static final int MIN_KEY_LENGTH = 16;

    private ApiKeys() {}

    /**
     * The keys as configured, trimmed, blanks dropped.
     *
     * @throws IllegalArgumentException if a key is shorter than {@value #MIN_KEY_LENGTH} characters
     *     (the message names the rule, never the key)
     */
    public static List<String> of(List<String> configured) {
        List<String> keys = configured == null
                ? List.of()
                : configured.stream()
                        .map(String::trim)
                        .filter(k -> !k.isEmpty())
                        .toList();
        for (String key : keys) {
            if (key.length() < MIN_KEY_LENGTH) {
                throw new IllegalArgumentException(
                        "switchboard.api.keys: every key must be at least " + MIN_KEY_LENGTH + " characters");
            }
        }
        return keys;
    }
}
