package io.switchboard.benchmarks;

import io.switchboard.protocol.RawJson;
import io.switchboard.protocol.envelope.EnvelopeCodec;
import io.switchboard.protocol.envelope.InboundMessage;
import io.switchboard.protocol.envelope.SequencedMessage;
import io.switchboard.protocol.frame.ClientFrame;
import io.switchboard.protocol.frame.FrameCodec;
import io.switchboard.protocol.frame.ServerFrame;
import io.switchboard.protocol.id.MessageIds;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-message codec work on the message path, one benchmark per step: a gateway decodes the
 * client's {@code send} and encodes the inbound envelope; offline-service decodes it and encodes the
 * sequenced one; the receiving gateway decodes that and encodes the {@code msg} frame. Bodies are the
 * load generator's (a small object), so these numbers price what the end-to-end benchmarks send.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar} (all), or add a regex such as {@code
 * Codec.*decode} and JMH options ({@code -f 1 -wi 3 -i 5}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmarks {

    private final FrameCodec frames = new FrameCodec();
    private final EnvelopeCodec envelopes = new EnvelopeCodec();

    private String sendFrame;
    private InboundMessage inbound;
    private byte[] inboundBytes;
    private SequencedMessage sequenced;
    private byte[] sequencedBytes;
    private ServerFrame.Msg msg;
    private ServerFrame.Ack ack;

    @Setup
    public void setUp() {
        String body = "{\"n\":123456,\"p\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
        sendFrame = "{\"type\":\"send\",\"cid\":\"123456\",\"to\":\"lg-m1abc-u517\",\"body\":" + body + "}";
        String id = MessageIds.next();
        inbound = new InboundMessage(
                id, "123456", "lg-m1abc-u12", "lg-m1abc-u517", System.currentTimeMillis(), new RawJson(body));
        inboundBytes = envelopes.encode(inbound);
        sequenced = new SequencedMessage(id, 4711, inbound.from(), inbound.to(), inbound.ts(), inbound.body());
        sequencedBytes = envelopes.encode(sequenced);
        msg = new ServerFrame.Msg(id, 4711, inbound.from(), inbound.to(), inbound.ts(), inbound.body());
        ack = new ServerFrame.Ack("123456", id);
    }

    @Benchmark
    public ClientFrame decodeSendFrame() {
        return frames.decode(sendFrame);
    }

    @Benchmark
    public byte[] encodeAckFrame() {
        return frames.encodeUtf8(ack);
    }

    @Benchmark
    public byte[] encodeMsgFrame() {
        return frames.encodeUtf8(msg);
    }

    @Benchmark
    public byte[] encodeInboundEnvelope() {
        return envelopes.encode(inbound);
    }

    @Benchmark
    public InboundMessage decodeInboundEnvelope() {
        return envelopes.decodeInbound(inboundBytes);
    }

    @Benchmark
    public byte[] encodeSequencedEnvelope() {
        return envelopes.encode(sequenced);
    }

    @Benchmark
    public SequencedMessage decodeSequencedEnvelope() {
        return envelopes.decodeSequenced(sequencedBytes);
    }
}
