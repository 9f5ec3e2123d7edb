package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK listener adapter fed directly, without a socket: joining of parts (whatever the JDK's read buffers cut),
 * the demand it puts back for parts and pongs (none for whole messages: that is the session's credit), the size limit.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JdkAdapterTest {

    /** Records what the session would see. */
    private static final class Recorder implements Transport.Listener {
        final List<Transport.InboundFrame> frames = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        int pongs;

        @Override
        public void onOpen(Transport.Connection connection) {}

        @Override
        public void onMessage(Transport.InboundFrame frame) {
            frames.add(frame);
        }

        @Override
        public void onPong() {
            pongs++;
        }

        @Override
        public void onClose(int code, String reason) {}

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }
    }

    /** Counts request(n); the rest is unused here. */
    private static final class CountingSocket implements WebSocket {
        long requested;
        boolean aborted;

        @Override
        public void request(long n) {
            requested += n;
        }

        @Override
        public void abort() {
            aborted = true;
        }

        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String getSubprotocol() {
            return "";
        }

        @Override
        public boolean isOutputClosed() {
            return false;
        }

        @Override
        public boolean isInputClosed() {
            return false;
        }
    }

    private static byte[] bytesOf(Transport.InboundFrame f) {
        return Arrays.copyOf(f.bytes(), f.length());
    }

    @Test
    void binaryMessagesCutAnywhereArriveWholeAndOnlyPartsAreReRequested() {
        Recorder rec = new Recorder();
        JdkWebSocketTransport.Adapter a = new JdkWebSocketTransport.Adapter(rec);
        CountingSocket ws = new CountingSocket();
        a.onOpen(ws);
        assertThat(ws.requested).isEqualTo(1); // the one message a transport delivers unasked
        Random rnd = new Random(7);
        List<byte[]> sent = new ArrayList<>();
        long parts = 0;
        // Sizes around the adapter's first guesses (1 KiB, the last joined size, 64 KiB cap) and far beyond.
        int[] sizes = {0, 1, 1023, 1024, 1025, 6_500, 6_500, 6_499, 200_000, 70_000, 6_500, 3, 65_536, 65_537};
        for (int size : sizes) {
            byte[] msg = new byte[size];
            rnd.nextBytes(msg);
            sent.add(msg);
            int[] at = size < 2 ? new int[0] : rnd.ints(rnd.nextInt(4), 1, size).sorted().distinct().toArray();
            int from = 0;
            for (int i = 0; i <= at.length; i++) {
                int to = i < at.length ? at[i] : size;
                // A buffer with data around the slice, as the JDK's read buffers have.
                ByteBuffer b = ByteBuffer.allocate(to - from + 10).position(5);
                b.put(msg, from, to - from).flip().position(5);
                a.onBinary(ws, b, i == at.length);
                from = to;
            }
            parts += at.length;
        }
        assertThat(rec.errors).isEmpty();
        assertThat(rec.frames).hasSize(sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            assertThat(rec.frames.get(i).text()).isNull();
            assertThat(rec.frames.get(i).size()).isEqualTo(sizes[i]);
            assertThat(bytesOf(rec.frames.get(i))).isEqualTo(sent.get(i));
        }
        // Whole messages take the session's credit; every non-final part put its own unit back.
        assertThat(ws.requested).isEqualTo(1 + parts);
    }

    @Test
    void textPartsJoinAndPongsPutTheirDemandBack() {
        Recorder rec = new Recorder();
        JdkWebSocketTransport.Adapter a = new JdkWebSocketTransport.Adapter(rec);
        CountingSocket ws = new CountingSocket();
        a.onOpen(ws);
        a.onText(ws, "{\"a\":", false);
        a.onText(ws, "\"é\"}", true);
        a.onPong(ws, ByteBuffer.allocate(0));
        a.onText(ws, "{}", true);
        assertThat(rec.frames).extracting(Transport.InboundFrame::text).containsExactly("{\"a\":\"é\"}", "{}");
        assertThat(rec.frames.get(0).asString()).isEqualTo("{\"a\":\"é\"}");
        assertThat(rec.pongs).isEqualTo(1);
        assertThat(ws.requested).isEqualTo(1 + 1 + 1); // open, one part, one pong
    }

    @Test
    void aMessageOverTheLimitFailsOnceAndAborts() {
        Recorder rec = new Recorder();
        JdkWebSocketTransport.Adapter a = new JdkWebSocketTransport.Adapter(rec);
        CountingSocket ws = new CountingSocket();
        a.onOpen(ws);
        ByteBuffer chunk = ByteBuffer.allocate(8 << 20);
        int sent = 0;
        while (rec.errors.isEmpty()) {
            a.onBinary(ws, chunk.clear(), false);
            sent += chunk.capacity();
            assertThat(sent).isLessThanOrEqualTo(JdkWebSocketTransport.MAX_MESSAGE_BYTES + chunk.capacity());
        }
        a.onBinary(ws, ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)), true); // ignored after the failure
        assertThat(rec.errors).singleElement().isInstanceOf(JdkWebSocketTransport.MessageTooLargeException.class);
        assertThat(rec.frames).isEmpty();
        assertThat(ws.aborted).isTrue();
    }

    @Test
    void inboundFrameChecksItsShape() {
        Transport.InboundFrame f = new Transport.InboundFrame(null, "{}xx".getBytes(StandardCharsets.UTF_8), 2);
        assertThat(f.size()).isEqualTo(2);
        assertThat(f.asString()).isEqualTo("{}");
        assertThat(new Transport.InboundFrame(null, new byte[3]).length()).isEqualTo(3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Transport.InboundFrame(null, new byte[1], 2))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Transport.InboundFrame("x", new byte[1], 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
