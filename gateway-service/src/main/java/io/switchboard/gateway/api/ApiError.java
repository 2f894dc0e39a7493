package io.switchboard.gateway.api;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of every 4xx/5xx answer of the HTTP API.
 *
 * @param code stable, machine-readable; never renamed or reused
 * @param message for people; may change
 */
@Schema(name = "Error", description = "Every error answer: a stable code and a message for people.")
public record ApiError(
        @Schema(example = "too_many_recipients") String code,

        @Schema(example = "at most 10000 recipients per call")
        String message) {}
