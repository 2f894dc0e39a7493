package io.switchboard.gateway.groups;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.gateway.api.ApiError;
import io.switchboard.gateway.api.ApiException;
import io.switchboard.gateway.api.ApiJson;
import io.switchboard.gateway.api.ApiProperties;
import io.switchboard.protocol.Ids;
import io.switchboard.protocol.Json;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Groups for {@code "to":"group:<id>"} sends: create, delete, add and remove members, list them.
 * Membership lives in Redis ({@link RedisGroupStore}); a change applies to every send prepared after
 * it.
 */
@RestController
@Tag(name = "groups", description = "Groups that members send to with \"to\":\"group:<id>\"")
public class GroupController {

    private static final Logger log = LoggerFactory.getLogger(GroupController.class);

    private final GroupStore store;
    private final ApiProperties properties;

    public GroupController(GroupStore store, ApiProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    @PostMapping(path = "/api/v1/groups", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Create a group",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = CreateGroup.class))))
    @ApiResponse(
            responseCode = "201",
            description = "created",
            content = @Content(schema = @Schema(implementation = GroupSize.class)))
    @ApiResponse(
            responseCode = "400",
            description = "bad_json, bad_group, bad_member, group_too_large",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "409",
            description = "group_exists",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Mono<ResponseEntity<GroupSize>> create(@RequestBody byte[] request) {
        JsonNode root = ApiJson.object(request);
        String group = groupId(Json.string(root, "id"));
        List<String> members = root.has("members") ? members(root) : List.of();
        return store.create(group, members)
                .onErrorMap(GroupController::unavailable)
                .map(change -> {
                    check(change, group);
                    return ResponseEntity.status(HttpStatus.CREATED).body(new GroupSize(group, change.size()));
                });
    }

    @DeleteMapping("/api/v1/groups/{id}")
    @Operation(summary = "Delete a group and its membership")
    @ApiResponse(responseCode = "204", description = "deleted")
    @ApiResponse(
            responseCode = "404",
            description = "group_not_found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Mono<ResponseEntity<Void>> delete(@PathVariable("id") String id) {
        String group = groupId(id);
        return store.delete(group).onErrorMap(GroupController::unavailable).map(deleted -> {
            if (!deleted) {
                throw notFound(group);
            }
            return ResponseEntity.noContent().build();
        });
    }

    @PostMapping(path = "/api/v1/groups/{id}/members", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Add members (all or none)",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AddMembers.class))))
    @ApiResponse(
            responseCode = "200",
            description = "added; the group's new size",
            content = @Content(schema = @Schema(implementation = GroupSize.class)))
    @ApiResponse(
            responseCode = "400",
            description = "bad_json, bad_group, bad_member, group_too_large (nothing added)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @ApiResponse(
            responseCode = "404",
            description = "group_not_found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Mono<GroupSize> add(@PathVariable("id") String id, @RequestBody byte[] request) {
        String group = groupId(id);
        List<String> users = ApiJson.userIds(
                ApiJson.object(request),
                "users",
                properties.maxGroupMembers(),
                false,
                "bad_member",
                "group_too_large",
                "bad_member");
        return store.add(group, users).onErrorMap(GroupController::unavailable).map(change -> {
            check(change, group);
            return new GroupSize(group, change.size());
        });
    }

    @DeleteMapping("/api/v1/groups/{id}/members/{user}")
    @Operation(summary = "Remove a member (removing a non-member is not an error)")
    @ApiResponse(responseCode = "204", description = "not a member any more")
    @ApiResponse(
            responseCode = "404",
            description = "group_not_found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Mono<ResponseEntity<Void>> remove(@PathVariable("id") String id, @PathVariable("user") String user) {
        String group = groupId(id);
        if (!Ids.isValidUserId(user)) {
            throw ApiException.badRequest("bad_member", "not a user id: 1-128 of [A-Za-z0-9._@:-]");
        }
        return store.remove(group, user)
                .onErrorMap(GroupController::unavailable)
                .map(change -> {
                    check(change, group);
                    return ResponseEntity.noContent().build();
                });
    }

    @GetMapping(path = "/api/v1/groups/{id}/members", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List the members, sorted")
    @ApiResponse(
            responseCode = "200",
            description = "the members",
            content = @Content(schema = @Schema(implementation = GroupMembers.class)))
    @ApiResponse(
            responseCode = "404",
            description = "group_not_found",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Mono<GroupMembers> members(@PathVariable("id") String id) {
        String group = groupId(id);
        return store.members(group)
                .onErrorMap(GroupController::unavailable)
                .map(members -> new GroupMembers(group, members.orElseThrow(() -> notFound(group))));
    }

    private List<String> members(JsonNode root) {
        return ApiJson.userIds(
                root, "members", properties.maxGroupMembers(), true, "bad_member", "group_too_large", "bad_member");
    }

    private static String groupId(String id) {
        if (!Ids.isValidGroupId(id)) {
            throw ApiException.badRequest("bad_group", "a group id is 1-64 of [A-Za-z0-9._-]");
        }
        return id;
    }

    private void check(GroupStore.Change change, String group) {
        switch (change.outcome()) {
            case EXISTS:
                throw new ApiException(HttpStatus.CONFLICT, "group_exists", "a group with this id exists");
            case NO_SUCH_GROUP:
                throw notFound(group);
            case TOO_MANY_MEMBERS:
                throw ApiException.badRequest(
                        "group_too_large", "a group has at most " + properties.maxGroupMembers() + " members");
            default:
        }
    }

    private static ApiException notFound(String group) {
        return new ApiException(HttpStatus.NOT_FOUND, "group_not_found", "there is no such group");
    }

    private static Throwable unavailable(Throwable e) {
        if (e instanceof ApiException) {
            return e;
        }
        log.warn("group change failed: Redis is unavailable: {}", e.toString());
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "groups are unavailable; retry");
    }

    @Schema(name = "CreateGroup")
    public record CreateGroup(
            @Schema(description = "1-64 of [A-Za-z0-9._-]", example = "team-7")
            String id,

            @Schema(description = "first members, user ids (optional)")
            List<String> members) {}

    @Schema(name = "AddMembers")
    public record AddMembers(
            @Schema(description = "user ids to add") List<String> users) {}

    @Schema(name = "GroupSize")
    public record GroupSize(
            String id,

            @Schema(description = "members after the change")
            int members) {}

    @Schema(name = "GroupMembers")
    public record GroupMembers(String id, List<String> members) {}
}
