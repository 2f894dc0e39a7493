package io.switchboard.auth;

/** A token that does not authenticate anyone. The message names the reason, never the token. */
public final class InvalidTokenException extends Exception {

    public InvalidTokenException(String reason) {
        super(reason, null, false, false);
    }
}
