package io.switchboard.gateway.api;

import org.springframework.http.HttpStatus;

/**
 * A request to the HTTP API that is refused, with its HTTP status and stable error code
 * ({@code docs/http-api.md} lists them). The message is for people and never holds a credential or
 * a message body.
 */
public final class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;

    public ApiException(HttpStatus status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, message);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public ApiError toError() {
        return new ApiError(code, getMessage());
    }
}
