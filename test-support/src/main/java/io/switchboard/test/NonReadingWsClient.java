package io.switchboard.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that completes the upgrade and then stops reading, with a small receive buffer:
 * a stuck device as the server sees it (its TCP window closes, the server's writes back up). Plain
 * blocking socket on the test thread; no Netty, so no framework reads on its behalf.
 */
public final class NonReadingWsClient implements AutoCloseable {

    private final Socket socket;

    private NonReadingWsClient(Socket socket) {
        this.socket = socket;
    }

    /** Connects to {@code uri} (ws://, path and query included) with a bearer token and upgrades. */
    public static NonReadingWsClient connect(URI uri, String bearerToken) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
        socket.setSoTimeout(10_000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Authorization: Bearer " + bearerToken + "\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readHeaders(socket.getInputStream());
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("upgrade refused: " + status);
        }
        return new NonReadingWsClient(socket);
    }

    /** Reads the response head byte by byte, so not one byte of WebSocket data is consumed. */
    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the upgrade");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.indexOf('\r'));
    }

    /**
     * Starts reading at last: drains every frame the server managed to send until it closed the
     * connection, and returns the close code it sent, or -1 if the connection ended without one (a
     * server that closes a stuck connection may discard what it could not write, the close frame
     * included).
     */
    public int drainUntilClosed() throws IOException {
        InputStream in = socket.getInputStream();
        int closeCode = -1;
        try {
            while (true) {
                int b0 = in.read();
                if (b0 < 0) {
                    return closeCode;
                }
                int b1 = in.read();
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = (in.read() << 8) | in.read();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | in.read();
                    }
                }
                byte[] payload = in.readNBytes((int) length);
                if ((b0 & 0x0f) == 0x8 && payload.length >= 2) {
                    closeCode = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                }
            }
        } catch (java.net.SocketException e) {
            return closeCode; // reset by the server after it gave up
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
