package io.switchboard.gateway.api;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ContentTooLargeException;
import org.springframework.web.server.ServerWebInputException;

/** Turns refusals of the HTTP API into {@link ApiError} answers with their stable codes. */
@RestControllerAdvice(basePackages = "io.switchboard.gateway")
class ApiErrors {

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> refused(ApiException e) {
        return ResponseEntity.status(e.status()).body(e.toError());
    }

    /** The request body could not be read: too large for the configured limit, or missing. */
    @ExceptionHandler({ServerWebInputException.class, ContentTooLargeException.class})
    ResponseEntity<ApiError> unreadable(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataBufferLimitException || cause instanceof ContentTooLargeException) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .body(new ApiError("request_too_large", "the request body is too large (2 MB at most)"));
            }
        }
        return ResponseEntity.badRequest().body(new ApiError("bad_json", "the request needs a JSON body"));
    }
}
