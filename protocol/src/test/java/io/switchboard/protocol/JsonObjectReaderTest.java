package io.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JacksonException;

class JsonObjectReaderTest {

    /** Values spelled the ways a tree would not keep: whitespace, trailing zeros, escapes, big numbers. */
    private static final String[] VALUES = {
        "1",
        "-12.5e3",
        "1.50",
        "0.1000000000000000000001",
        "123456789012345678901234567890",
        "true",
        "false",
        "null",
        "\"\"",
        "\"é\\u00e9\\\"q\\n\"",
        "\"ünï 😀\"",
        "{}",
        "[]",
        "{\"a\" : [1, {\"b\":null}], \"c\":\"}\"}",
        "[ 1 ,\n\t2 ]",
    };

    private static final String[] SPACES = {"", " ", "\n\t "};

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"bytes", "text"})
    void keepsARawValueExactlyAsItAppearsWhereverItStandsInTheObject(String input) {
        Function<String, JsonObjectReader> reader = readerOf(input);
        for (String value : VALUES) {
            for (String before : SPACES) {
                for (String after : SPACES) {
                    String last = "{\"x\":1," + before + "\"body\":" + before + value + after + "}";
                    String middle = "{\"body\":" + value + after + "," + before + "\"y\":[2]}";
                    assertThat(fields(reader.apply(last))).containsEntry("body", value);
                    assertThat(fields(reader.apply(middle)))
                            .containsEntry("body", value)
                            .containsEntry("y", "[2]");
                }
            }
        }
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"bytes", "text"})
    void skipsValuesThatAreNotReadAndKeepsTheLastOfARepeatedField(String input) {
        try (JsonObjectReader reader =
                readerOf(input).apply("{\"skip\":{\"deep\":[1,{\"x\":2}]},\"a\":\"1\",\"a\":\"2\"}")) {
            assertThat(reader.startObject()).isTrue();
            assertThat(reader.nextField()).isEqualTo("skip");
            assertThat(reader.nextField()).isEqualTo("a");
            assertThat(reader.stringOrNull()).isEqualTo("1");
            assertThat(reader.nextField()).isEqualTo("a");
            assertThat(reader.stringOrNull()).isEqualTo("2");
            assertThat(reader.nextField()).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{\"a\":1} x",
                "{\"a\":1}{}",
                "{\"a\":1",
                "{\"a\":[1,}",
                "{\"a\":tru}",
                "{\"skipped\":{\"b\":1,}}",
            })
    void refusesInputThatIsNotExactlyOneObjectEvenInFieldsItSkips(String json) {
        assertThatThrownBy(() -> fields(JsonObjectReader.of(json))).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> fields(JsonObjectReader.of(json.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(JacksonException.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"[1]", "\"text\"", "1", ""})
    void tellsAnotherValueFromAnObject(String json) {
        try (JsonObjectReader reader = JsonObjectReader.of(json)) {
            assertThat(reader.startObject()).isFalse();
        }
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"bytes", "text"})
    void refusesNestingDeeperThanTheLimitInAFieldItSkips(String input) {
        String deep = "[".repeat(Json.MAX_NESTING_DEPTH + 1) + "]".repeat(Json.MAX_NESTING_DEPTH + 1);
        String fine = "[".repeat(Json.MAX_NESTING_DEPTH - 1) + "]".repeat(Json.MAX_NESTING_DEPTH - 1);

        assertThat(fields(readerOf(input).apply("{\"a\":" + fine + "}"))).containsEntry("a", fine);
        assertThatThrownBy(() -> fields(readerOf(input).apply("{\"a\":" + deep + "}")))
                .isInstanceOf(JacksonException.class);
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"bytes", "text"})
    void readsLongsAndTellsOtherNumbersApart(String input) {
        try (JsonObjectReader reader =
                readerOf(input).apply("{\"a\":9223372036854775807,\"b\":9223372036854775808,\"c\":1.0,\"d\":\"1\"}")) {
            reader.startObject();
            reader.nextField();
            assertThat(reader.isLong()).isTrue();
            assertThat(reader.longValue()).isEqualTo(Long.MAX_VALUE);
            reader.nextField();
            assertThat(reader.isLong()).isFalse();
            reader.nextField();
            assertThat(reader.isLong()).isFalse();
            reader.nextField();
            assertThat(reader.isLong()).isFalse();
            assertThat(reader.stringOrNull()).isEqualTo("1");
        }
    }

    private static Function<String, JsonObjectReader> readerOf(String input) {
        return input.equals("bytes")
                ? json -> JsonObjectReader.of(json.getBytes(StandardCharsets.UTF_8))
                : JsonObjectReader::of;
    }

    /** Every field as raw text. */
    private static Map<String, String> fields(JsonObjectReader reader) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (reader) {
            assertThat(reader.startObject()).isTrue();
            for (String name = reader.nextField(); name != null; name = reader.nextField()) {
                fields.put(
                        name, name.equals("skipped") ? null : reader.rawValue().json());
            }
        }
        return fields;
    }
}
