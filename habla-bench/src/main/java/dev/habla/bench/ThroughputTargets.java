package dev.habla.bench;

import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * The servers {@link ClientThroughput} measures against, behind one interface: the {@link LiveEmulator} itself, or a
 * light Jetty core WebSocket endpoint that does the bare minimum (answers setup, finds the base64 {@code data} of each
 * audio message without a JSON parser, or pushes pre-encoded frames), for when the emulator's own work would be what
 * limits the clients. Both run in the harness JVM on loopback.
 */
final class ThroughputTargets {
    private ThroughputTargets() {}

    /** Whether the connection a run uses has gone away (for failing fast instead of waiting out the stall time). */
    interface Watch {
        boolean closed();
    }

    /** A server on 127.0.0.1. {@code expect…} applies to the next connection; runs are sequential. */
    interface Target extends AutoCloseable {
        String describe();

        /** {@code http://127.0.0.1:PORT}: what both SDKs take as base URL. */
        String baseUrl();

        /** Full {@code ws://} URL with credentials, for the bare JDK WebSocket. */
        String rawWsUrl();

        /** The next connection answers setup, then hands every audio payload to {@code tally} in arrival order. */
        Watch expectSink(ThroughputTally.Send tally);

        /** The next connection answers setup, waits for one client message, then pushes every frame of the run. */
        Watch expectSource();

        /** The run is over: stop routing to its tally. */
        void done();

        @Override
        void close();
    }

    static final String KEY = ThroughputClients.KEY;

    // ---- the emulator ---------------------------------------------------------------------------------------

    /**
     * The emulator with record-only scripts. A drain thread takes every client message the emulator decoded, in
     * arrival order, and hands audio to the armed tally; it also keeps the emulator's record queue from filling.
     */
    static final class Emulator implements Target {
        private final LiveEmulator emu;
        private final Script sink;
        private final Script source;
        private final AtomicReference<ThroughputTally.Send> armed = new AtomicReference<>();
        /** Emulator connection id of the armed run, learnt from its first audio message. */
        private volatile String armedSession;
        private final Thread drain;
        private volatile boolean stop;

        Emulator(List<byte[]> frames, int sendMessages) {
            this.emu = LiveEmulator.create(b -> b.apiKey(KEY).maxRecordedMessages(Math.max(10_000, 2 * sendMessages)));
            this.sink = Script.create(script -> script.expect(ClientMessage.Setup.class).send(new ServerMessage.SetupComplete(null)));
            this.source = Script.create(script -> {
                script.expect(ClientMessage.Setup.class).send(new ServerMessage.SetupComplete(null))
                        .expect("go", m -> m instanceof ClientMessage.RealtimeInput);
                for (byte[] f : frames) {
                    script.sendRaw(new String(f, StandardCharsets.UTF_8), true); // as the service does: binary frames
                }
            });
            this.drain = Thread.ofPlatform().daemon().name("bench-drain").start(this::drainLoop);
        }

        private void drainLoop() {
            try {
                while (!stop) {
                    ReceivedMessage m = emu.takeClientMessage(Duration.ofMillis(100));
                    if (m != null && m.message() instanceof ClientMessage.RealtimeInput ri && ri.audio() != null) {
                        ThroughputTally.Send t = armed.get();
                        if (t != null) {
                            if (armedSession == null) {
                                armedSession = m.sessionId();
                            }
                            t.onAudio(ri.audio().data());
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String describe() {
            return "habla-emulator (record-only script: strict decode of every client message)";
        }

        @Override
        public String baseUrl() {
            return emu.baseUrl();
        }

        @Override
        public String rawWsUrl() {
            return emu.wsUrl("v1beta") + "?key=" + KEY;
        }

        @Override
        public Watch expectSink(ThroughputTally.Send tally) {
            armedSession = null;
            armed.set(tally);
            emu.enqueue(sink);
            return () -> {
                String id = armedSession;
                if (id == null) {
                    return false;
                }
                Optional<EmulatorSession> s = emu.session(id);
                return s.isEmpty() || !s.get().open();
            };
        }

        @Override
        public Watch expectSource() {
            emu.enqueue(source);
            return () -> false;
        }

        @Override
        public void done() {
            armed.set(null);
        }

        @Override
        public void close() {
            stop = true;
            try {
                drain.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            emu.close();
        }
    }

    // ---- the light server -----------------------------------------------------------------------------------

    /**
     * A Jetty core WebSocket endpoint (no JSON, no String for incoming frames): it answers
     * the first message with {@code setupComplete}, then either decodes the base64 {@code data} of each message into
     * the tally, or, on the first message after setup, pushes the pre-encoded frames with up to
     * {@link #WINDOW} writes outstanding.
     */
    static final class Light implements Target {
        static final int WINDOW = 32;
        private static final byte[] SETUP_COMPLETE = "{\"setupComplete\":{}}".getBytes(StandardCharsets.UTF_8);
        private static final byte[] DATA_KEY = "\"data\":\"".getBytes(StandardCharsets.US_ASCII);

        /** What the next connection does; {@code closed} is set when it ends. */
        private static final class Plan implements Watch {
            final ThroughputTally.Send sink;
            volatile boolean closed;

            Plan(ThroughputTally.Send sink) {
                this.sink = sink;
            }

            @Override
            public boolean closed() {
                return closed;
            }
        }

        private final List<byte[]> frames;
        private final ConcurrentLinkedQueue<Plan> plans = new ConcurrentLinkedQueue<>();
        private final Server server;
        private final ServerConnector connector;

        Light(List<byte[]> frames) {
            this.frames = frames;
            QueuedThreadPool pool = new QueuedThreadPool();
            pool.setName("bench-light");
            server = new Server(pool);
            connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            WebSocketUpgradeHandler ws = new WebSocketUpgradeHandler();
            // Extensions as Jetty negotiates them by default (like the emulator): permessage-deflate only if offered,
            // which only the SDK's OkHttp does, and only with --sdk-deflate (ThroughputClients strips the offer).
            ws.addMapping("/*", (request, response, callback) -> {
                Plan p = plans.poll();
                return new Endpoint(p == null ? new Plan(null) : p);
            });
            server.setHandler(ws);
            try {
                server.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the light server: " + e, e);
            }
        }

        @Override
        public String describe() {
            return "light Jetty core endpoint (finds base64 \"data\" by byte search; pre-encoded frames out)";
        }

        @Override
        public String baseUrl() {
            return "http://127.0.0.1:" + connector.getLocalPort();
        }

        @Override
        public String rawWsUrl() {
            return "ws://127.0.0.1:" + connector.getLocalPort()
                    + "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=" + KEY;
        }

        @Override
        public Watch expectSink(ThroughputTally.Send tally) {
            Plan p = new Plan(tally);
            plans.add(p);
            return p;
        }

        @Override
        public Watch expectSource() {
            Plan p = new Plan(null);
            plans.add(p);
            return p;
        }

        @Override
        public void done() {
            plans.clear();
        }

        @Override
        public void close() {
            try {
                server.stop();
            } catch (Exception e) {
                // shutting down anyway
            }
        }

        /**
         * One connection. Jetty calls {@code onFrame} once at a time per connection and only after {@code demand()},
         * so the reassembly fields need no lock; the pusher is its own virtual thread and only touches the session.
         */
        private final class Endpoint implements FrameHandler {
            private final Plan plan;
            private CoreSession session;
            private boolean setupSeen;
            private boolean pushing;
            private ByteArrayOutputStream parts;

            Endpoint(Plan plan) {
                this.plan = plan;
            }

            @Override
            public void onOpen(CoreSession s, Callback callback) {
                session = s;
                callback.succeeded();
                s.demand();
            }

            @Override
            public void onFrame(Frame frame, Callback callback) {
                byte op = frame.getOpCode();
                if (op == OpCode.CLOSE) {
                    callback.succeeded(); // the core session answers the close
                    return;
                }
                if (OpCode.isDataFrame(op) || op == OpCode.CONTINUATION) {
                    if (frame.isFin() && parts == null) {
                        onMessage(frame.getPayload());
                    } else {
                        if (parts == null) {
                            parts = new ByteArrayOutputStream();
                        }
                        ByteBuffer p = frame.getPayload();
                        byte[] chunk = new byte[p.remaining()];
                        p.get(chunk);
                        parts.writeBytes(chunk);
                        if (frame.isFin()) {
                            ByteBuffer whole = ByteBuffer.wrap(parts.toByteArray());
                            parts = null;
                            onMessage(whole);
                        }
                    }
                }
                callback.succeeded();
                session.demand();
            }

            private void onMessage(ByteBuffer payload) {
                if (!setupSeen) {
                    setupSeen = true;
                    session.sendFrame(new Frame(OpCode.BINARY, ByteBuffer.wrap(SETUP_COMPLETE)), Callback.NOOP, false);
                } else if (plan.sink != null) {
                    plan.sink.onAudio(base64Data(payload));
                } else if (!pushing) {
                    pushing = true;
                    Thread.ofVirtual().name("bench-light-push").start(this::push);
                }
            }

            private void push() {
                Semaphore window = new Semaphore(WINDOW);
                try {
                    for (byte[] f : frames) {
                        window.acquire();
                        if (plan.closed) {
                            return;
                        }
                        session.sendFrame(new Frame(OpCode.BINARY, ByteBuffer.wrap(f)), Callback.from(window::release, x -> window.release()), false);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onError(Throwable cause, Callback callback) {
                callback.succeeded();
            }

            @Override
            public void onClosed(CloseStatus status, Callback callback) {
                plan.closed = true;
                callback.succeeded();
            }
        }

        /** The bytes of the first {@code "data":"…"} string, base64-decoded; null if there is none. */
        static byte[] base64Data(ByteBuffer json) {
            int from = json.position();
            int limit = json.limit();
            outer:
            for (int i = from; i <= limit - DATA_KEY.length; i++) {
                for (int k = 0; k < DATA_KEY.length; k++) {
                    if (json.get(i + k) != DATA_KEY[k]) {
                        continue outer;
                    }
                }
                int start = i + DATA_KEY.length;
                int end = start;
                while (end < limit && json.get(end) != '"') {
                    end++;
                }
                ByteBuffer b64 = json.duplicate().limit(end).position(start);
                ByteBuffer out = Base64.getDecoder().decode(b64);
                byte[] bytes = new byte[out.remaining()];
                out.get(bytes);
                return bytes;
            }
            return null;
        }
    }

    /** The decode-path frames as the service sends them (UTF-8 bytes of binary frames), from {@code pcm} payloads. */
    static List<byte[]> serverAudioFrames(List<byte[]> pcm) {
        List<byte[]> out = new ArrayList<>(pcm.size());
        for (byte[] p : pcm) {
            out.add(("{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"" + Fixtures.MIME_24K
                    + "\",\"data\":\"" + Base64.getEncoder().encodeToString(p) + "\"}}]}}}").getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }
}
