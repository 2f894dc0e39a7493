package io.switchboard.presenceservice.api;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the API contract, {@code docs/openapi/presence.yaml} (written by hand, copied into the jar
 * at build time), so that a client can fetch it from the running service.
 */
@RestController
class OpenApiController {

    private static final Resource SPEC = new ClassPathResource("presence.yaml", OpenApiController.class);

    @GetMapping(value = "/openapi/presence.yaml", produces = "application/yaml")
    ResponseEntity<Resource> spec() {
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("application/yaml"))
                .body(SPEC);
    }
}
