/**
 * Switchboard's contracts, free of Spring: the WebSocket frames of protocol v1 ({@code frame}), the
 * records that travel through Kafka ({@code envelope}), message ids ({@code id}) and the JSON codecs
 * for both.
 *
 * <p>External clients depend on the frames exactly as {@code docs/protocol.md} describes them: extend
 * them, never break them.
 */
package io.switchboard.protocol;
