package io.switchboard.suite.fault;

import io.switchboard.protocol.Json;
import io.switchboard.test.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * One user's app, on one device, as a well-behaved client of protocol v1 would be written: it sends
 * messages to random other users, keeps every unacknowledged send and sends it again with the same
 * {@code cid} after a reconnect (or an {@code unavailable}), confirms what it processed with
 * {@code recv} every 200 ms, and reconnects with backoff (100 ms doubling to 2 s, with jitter) to its
 * home node, falling back to the other one.
 *
 * <p>Its application stream is checked as it goes: messages are deduplicated by id (raw redeliveries
 * are counted, they are allowed across connections), and each new message must have the next seq; a
 * {@code gap}, a seq out of turn, one message (sender and cid) under two ids, or an ack changing its id
 * is a violation recorded in the {@link Ledger}.
 */
final class FaultClient {

    private static final int MAX_UNACKED = 64;
    private static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(15);

    private final String user;
    private final int home;
    private final List<URI> nodes;
    private final List<String> peers;
    private final Ledger ledger;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final String token;

    // Guarded by this.
    private Connection connection;
    private boolean welcomed;
    private int attempt; // connection attempts without a welcome since the last welcome
    private boolean sending;
    private boolean stopped;
    private int nextCid;
    private long lastSeq;
    private long lastRecvSent;
    private final LinkedHashMap<String, String> unacked = new LinkedHashMap<>(); // cid -> frame
    private final Map<String, String> unackedTo = new HashMap<>();
    private final Map<String, String> ackedIds = new HashMap<>(); // cid -> id
    private final Set<String> seenIds = new HashSet<>();
    private final Map<String, String> idBySenderCid = new HashMap<>();
    private int currentNode = -1;

    final AtomicLong sent = new AtomicLong();
    final AtomicLong resent = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicLong rawRedeliveries = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong welcomes = new AtomicLong();
    /** Connections the server closed with 1012 (its node drained). */
    final AtomicLong drainCloses = new AtomicLong();
    /** From each 1012 close to the next welcome, in ms. */
    final java.util.concurrent.ConcurrentLinkedQueue<Long> drainReconnectMillis =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    // Guarded by this: when the last 1012 close came, 0 when none is waiting for its welcome.
    private long drainClosedAtNanos;

    FaultClient(
            String user,
            int home,
            List<URI> nodes,
            List<String> peers,
            Ledger ledger,
            HttpClient http,
            ScheduledExecutorService timer) {
        this.user = user;
        this.home = home;
        this.nodes = nodes;
        this.peers = peers;
        this.ledger = ledger;
        this.http = http;
        this.timer = timer;
        this.token = TestTokens.mint(TestTokens.SECRET, user, Duration.ofHours(1));
    }

    String user() {
        return user;
    }

    /** Connects (and keeps reconnecting) and starts confirming; sending starts with {@link #startSending}. */
    void start() {
        connect();
        timer.scheduleAtFixedRate(this::confirm, 200, 200, TimeUnit.MILLISECONDS);
    }

    /** Sends about {@code perSecond} messages a second to random peers until {@link #stopSending}. */
    void startSending(double perSecond) {
        synchronized (this) {
            sending = true;
        }
        long periodMicros = (long) (1_000_000 / perSecond);
        timer.schedule(
                () -> sendLoop(periodMicros),
                ThreadLocalRandom.current().nextLong(periodMicros),
                TimeUnit.MICROSECONDS);
    }

    synchronized void stopSending() {
        sending = false;
    }

    synchronized boolean isWelcomed() {
        return welcomed;
    }

    synchronized int unackedCount() {
        return unacked.size();
    }

    synchronized long lastSeq() {
        return lastSeq;
    }

    synchronized int distinctReceived() {
        return seenIds.size();
    }

    synchronized boolean onHomeNode() {
        return currentNode == home;
    }

    /** Closes the connection (normally) and reconnects to the home node, as an app that roams back. */
    synchronized void goHome() {
        if (connection != null && currentNode != home) {
            reconnect();
        }
    }

    /** Closes the connection normally; the client reconnects (home node first). */
    synchronized void reconnect() {
        if (connection != null) {
            connection.ws.sendClose(WebSocket.NORMAL_CLOSURE, "reconnecting");
        }
    }

    void stop() {
        Connection c;
        synchronized (this) {
            stopped = true;
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.ws.abort();
        }
    }

    private void sendLoop(long periodMicros) {
        synchronized (this) {
            if (stopped || !sending) {
                return;
            }
            if (unacked.size() < MAX_UNACKED) {
                String cid = user + "-" + (++nextCid);
                String to = peers.get(ThreadLocalRandom.current().nextInt(peers.size()));
                String frame = "{\"type\":\"send\",\"cid\":\"" + cid + "\",\"to\":\"" + to + "\",\"body\":{\"from\":\""
                        + user + "\",\"cid\":\"" + cid + "\",\"pad\":\"fault-injection\"}}";
                unacked.put(cid, frame);
                unackedTo.put(cid, to);
                sent.incrementAndGet();
                if (welcomed) {
                    connection.send(frame);
                }
            }
        }
        // jitter ±50 % keeps the clients from sending in lock step
        long next = periodMicros / 2 + ThreadLocalRandom.current().nextLong(periodMicros);
        timer.schedule(() -> sendLoop(periodMicros), next, TimeUnit.MICROSECONDS);
    }

    private void confirm() {
        synchronized (this) {
            if (welcomed && lastSeq > lastRecvSent) {
                lastRecvSent = lastSeq;
                connection.send("{\"type\":\"recv\",\"seq\":" + lastSeq + "}");
            }
        }
    }

    private void connect() {
        int node;
        synchronized (this) {
            if (stopped) {
                return;
            }
            // home first, then alternate, so a dead home node costs one failed attempt at a time
            node = attempt % 2 == 0 ? home : 1 - home;
        }
        Connection c = new Connection(node);
        URI uri = URI.create(nodes.get(node) + "?device=app&access_token=" + token);
        http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(3))
                .buildAsync(uri, c)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        c.failed();
                    }
                });
        timer.schedule(
                () -> {
                    synchronized (this) {
                        if (connection == c && !welcomed) {
                            onClosed(c); // no welcome: give up on this connection and try again
                        }
                    }
                },
                WELCOME_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * @param failedAttempt the connection never got a welcome: the next attempt goes to the other node
     *     and waits longer
     */
    private void scheduleReconnect(boolean failedAttempt) {
        long delay;
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (failedAttempt) {
                attempt++;
            }
            long base = Math.min(2_000, 100L << Math.min(attempt, 5));
            delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        }
        reconnects.incrementAndGet();
        timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private synchronized void onFrame(Connection c, String text) {
        if (connection != c) {
            return;
        }
        JsonNode frame = Json.MAPPER.readTree(text);
        String type = Json.string(frame, "type");
        if (type == null) {
            ledger.violation(user + ": frame without type");
            return;
        }
        switch (type) {
            case "welcome":
                c.after = frame.get("after").asLong();
                c.lastSeq = c.after;
                welcomed = true;
                welcomes.incrementAndGet();
                if (drainClosedAtNanos != 0) {
                    drainReconnectMillis.add((System.nanoTime() - drainClosedAtNanos) / 1_000_000);
                    drainClosedAtNanos = 0;
                }
                attempt = 0;
                currentNode = c.node;
                lastRecvSent = 0;
                for (Map.Entry<String, String> e : unacked.entrySet()) {
                    resent.incrementAndGet();
                    c.send(e.getValue());
                }
                break;
            case "ack":
                onAck(Json.string(frame, "cid"), Json.string(frame, "id"));
                break;
            case "error":
                onError(c, Json.string(frame, "cid"), Json.string(frame, "code"));
                break;
            case "msg":
                onMsg(c, frame);
                break;
            case "gap":
                ledger.violation(user + ": gap " + frame);
                break;
            default:
                break;
        }
    }

    private void onAck(String cid, String id) {
        String to = unackedTo.get(cid);
        String before = ackedIds.putIfAbsent(cid, id);
        if (before != null && !before.equals(id)) {
            ledger.violation(user + ": cid " + cid + " acknowledged with " + before + " and then " + id);
        }
        if (unacked.remove(cid) != null) {
            unackedTo.remove(cid);
            ledger.acked(id, user, to, cid);
        }
    }

    private void onError(Connection c, String cid, String code) {
        if ("unavailable".equals(code) && cid != null && unacked.containsKey(cid)) {
            unavailable.incrementAndGet();
            // the server accepted nothing: send the same frame again in a moment
            timer.schedule(
                    () -> {
                        synchronized (this) {
                            String frame = unacked.get(cid);
                            if (frame != null && connection == c && welcomed) {
                                resent.incrementAndGet();
                                c.send(frame);
                            }
                        }
                    },
                    300,
                    TimeUnit.MILLISECONDS);
            return;
        }
        ledger.violation(user + ": unexpected error " + code + " for cid " + cid);
    }

    private void onMsg(Connection c, JsonNode msg) {
        received.incrementAndGet();
        String id = Json.string(msg, "id");
        long seq = msg.get("seq").asLong();
        String to = Json.string(msg, "to");
        if (!user.equals(to)) {
            ledger.violation(user + ": got a message for " + to);
        }
        // the raw stream of one connection: after the welcome's resume point, every seq once, in order
        if (seq != c.lastSeq + 1) {
            ledger.violation(user + ": seq " + seq + " after " + c.lastSeq + " on one connection (resumed after "
                    + c.after + ")");
        }
        c.lastSeq = seq;
        if (!seenIds.add(id)) {
            rawRedeliveries.incrementAndGet();
            return;
        }
        // the application's stream, after dedup by id: the next seq, every time
        if (seq != lastSeq + 1) {
            ledger.violation(user + ": message " + id + " has seq " + seq + " after " + lastSeq);
        }
        lastSeq = Math.max(lastSeq, seq);
        JsonNode body = msg.get("body");
        if (!Json.string(msg, "from").equals(Json.string(body, "from"))) {
            ledger.violation(user + ": message " + id + " from " + Json.string(msg, "from") + " carries a body of "
                    + Json.string(body, "from"));
        }
        String senderCid = Json.string(msg, "from") + "/" + Json.string(body, "cid");
        String other = idBySenderCid.putIfAbsent(senderCid, id);
        if (other != null) {
            ledger.violation(user + ": " + senderCid + " delivered as " + other + " and " + id);
        }
        ledger.delivered(id, user);
    }

    private synchronized void onClosed(Connection c) {
        if (connection != c) {
            return;
        }
        boolean failedAttempt = !welcomed;
        connection = null;
        welcomed = false;
        currentNode = -1;
        c.ws.abort();
        scheduleReconnect(failedAttempt);
    }

    /** One WebSocket connection; its callbacks are ignored once another connection replaced it. */
    private final class Connection implements WebSocket.Listener {
        final int node;
        volatile WebSocket ws;
        // Guarded by FaultClient.this.
        long after;
        long lastSeq;
        private final StringBuilder partial = new StringBuilder();
        private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

        Connection(int node) {
            this.node = node;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            synchronized (FaultClient.this) {
                if (stopped) {
                    webSocket.abort();
                    return;
                }
                connection = this;
                welcomed = false;
            }
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    onFrame(this, text);
                } catch (RuntimeException e) {
                    ledger.violation(user + ": cannot handle frame: " + e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (statusCode == 1012) {
                synchronized (FaultClient.this) {
                    if (connection == this) {
                        drainCloses.incrementAndGet();
                        drainClosedAtNanos = System.nanoTime();
                    }
                }
            }
            onClosed(this);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            onClosed(this);
        }

        void failed() {
            // the handshake failed (node down, refused): this connection never became current
            scheduleReconnect(true);
        }

        /** Sends one text frame after the previous one (the JDK WebSocket allows one send at a time). */
        void send(String text) {
            synchronized (this) {
                sends = sends.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true));
                sends.whenComplete((v, e) -> {
                    if (e != null) {
                        onClosed(this);
                    }
                });
            }
        }
    }
}
