package dev.habla.bench;

import com.google.genai.AsyncSession;
import com.google.genai.Client;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.Content;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.LiveConnectConfig;
import com.google.genai.types.LiveSendRealtimeInputParameters;
import com.google.genai.types.LiveServerContent;
import com.google.genai.types.Modality;
import com.google.genai.types.Part;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ResponseModality;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The clients {@link ClientThroughput} drives, each behind the same two small interfaces: Habla's {@link LiveSession},
 * the official Java SDK 2.0.0's {@link AsyncSession} (used fire-and-forget, or joined per send), and a bare
 * {@code java.net.http.WebSocket} with pre-encoded frames (a transport ceiling: what the server and loopback allow
 * with no client-side codec at all). One instance per harness run; every session is opened fresh per measured run.
 */
final class ThroughputClients implements AutoCloseable {
    static final String MODEL = "gemini-2.0-flash-live-001";
    static final String KEY = "bench-key";
    static final long T = 10; // seconds: bound on every single SDK future and connect

    /** Who is measured. */
    enum Subject {
        /** Habla on its Jetty transport. */
        HABLA("Habla (Jetty)"),
        /** Habla on {@code java.net.http.WebSocket} ({@code ClientConfig.Transport.JDK}). */
        HABLA_JDK("Habla (JDK WebSocket)"),
        SDK_NAIVE("SDK, fire-and-forget"),
        SDK_JOINED("SDK, join per send"),
        SDK("SDK"),
        RAW_JDK("bare JDK WebSocket");

        final String label;

        Subject(String label) {
            this.label = label;
        }

        boolean habla() {
            return this == HABLA || this == HABLA_JDK;
        }
    }

    /** One open session on the send path. {@link #send} may be called from several producer threads at once. */
    interface Sender extends AutoCloseable {
        void send(int index, byte[] pcm) throws Exception;

        /** After every producer returned: what went wrong on the client side (refused sends, failed futures), or null. */
        String problems();

        @Override
        void close();
    }

    /** One open session on the decode path; its listener feeds the tally. */
    interface Receiver extends AutoCloseable {
        /** Asks the server to start pushing (a realtime text message the script waits for). */
        void go() throws Exception;

        @Override
        void close();
    }

    private final ThroughputTargets.Target target;
    /** Habla on the Jetty transport, otherwise as configured by default (8 MiB send queue budget); the bursts fit. */
    private final LiveClient habla;
    /** Habla with a budget for a whole unbounded burst (the probe), so it neither drops nor refuses any of it. */
    private final LiveClient hablaUnbounded;
    /** Habla on the JDK transport, otherwise as {@link #habla}. */
    private final LiveClient hablaJdk;
    private final Client sdk;
    private final HttpClient rawHttp;

    /**
     * @param sdkDeflate whether the SDK may offer permessage-deflate as it does by default (OkHttp); false strips the
     *                   offer so that neither client compresses (the JDK WebSocket cannot), which compares like with like
     * @param hablaDeflate whether Habla on the Jetty transport offers permessage-deflate (off by default, as in Habla)
     */
    ThroughputClients(ThroughputTargets.Target target, boolean sdkDeflate, boolean hablaDeflate) {
        this.target = target;
        this.habla = LiveClient.create(c -> c.apiKey(KEY).baseUrl(target.baseUrl()).transport(ClientConfig.Transport.JETTY)
                .permessageDeflate(hablaDeflate));
        this.hablaUnbounded = LiveClient.create(c -> c.apiKey(KEY).baseUrl(target.baseUrl()).sendQueueBudgetBytes(1L << 30)
                .transport(ClientConfig.Transport.JETTY).permessageDeflate(hablaDeflate));
        this.hablaJdk = LiveClient.create(c -> c.apiKey(KEY).baseUrl(target.baseUrl()).transport(ClientConfig.Transport.JDK));
        // sdk-oracles.md §2 workaround A: the SDK always builds wss://, rewrite to plain http for the loopback server.
        OkHttpClient plainLoopback = new OkHttpClient.Builder().addInterceptor(chain -> {
            okhttp3.Request r = chain.request();
            HttpUrl u = r.url();
            if (u.isHttps() && u.host().equals("127.0.0.1")) {
                okhttp3.Request.Builder b = r.newBuilder().url(u.newBuilder().scheme("http").build());
                if (!sdkDeflate) {
                    b.removeHeader("Sec-WebSocket-Extensions");
                }
                return chain.proceed(b.build());
            }
            return chain.proceed(r);
        }).build();
        this.sdk = Client.builder().apiKey(KEY)
                .httpOptions(HttpOptions.builder().baseUrl(target.baseUrl()).build())
                .clientOptions(ClientOptions.builder().customHttpClient(plainLoopback).build())
                .build();
        this.rawHttp = HttpClient.newHttpClient();
    }

    // ---- send path ------------------------------------------------------------------------------------------

    /**
     * Opens a fresh session (the target expects it). {@code payloads} is only used by the pre-encoding ceiling;
     * {@code unbounded} gives Habla a send queue budget that holds all of them at once.
     */
    Sender openSender(Subject subject, byte[][] payloads, boolean unbounded) throws Exception {
        return switch (subject) {
            case HABLA -> new HablaSender(connectHabla(unbounded ? hablaUnbounded : habla, event -> {}));
            case HABLA_JDK -> new HablaSender(connectHabla(hablaJdk, event -> {}));
            case SDK_NAIVE -> new SdkSender(connectSdk(m -> {}), false, payloads.length);
            case SDK_JOINED -> new SdkSender(connectSdk(m -> {}), true, payloads.length);
            case RAW_JDK -> new RawSender(connectRaw(new RawListener(null)), payloads);
            case SDK -> throw new IllegalArgumentException("send path: SDK_NAIVE or SDK_JOINED");
        };
    }

    private static final class HablaSender implements Sender {
        private final LiveSession session;
        private final LongAdder notQueued = new LongAdder();

        HablaSender(LiveSession session) {
            this.session = session;
        }

        @Override
        public void send(int index, byte[] pcm) {
            if (session.sendAudio(pcm, 16_000) != SendResult.QUEUED) {
                notQueued.increment();
            }
        }

        @Override
        public String problems() {
            long n = notQueued.sum();
            return n == 0 && session.droppedMessages() == 0 ? null
                    : n + " sends not queued, " + session.droppedMessages() + " dropped over budget";
        }

        @Override
        public void close() {
            session.close();
        }
    }

    private static final class SdkSender implements Sender {
        private final AsyncSession session;
        private final boolean join;
        /** Fire-and-forget futures, kept only to look for failures afterwards (distinct slots per producer). */
        private final CompletableFuture<?>[] futures;

        SdkSender(AsyncSession session, boolean join, int n) {
            this.session = session;
            this.join = join;
            this.futures = join ? null : new CompletableFuture<?>[n];
        }

        @Override
        public void send(int index, byte[] pcm) throws Exception {
            // What an application writes for each microphone chunk (as in Fixtures.sdkAudioParams).
            CompletableFuture<Void> f = session.sendRealtimeInput(LiveSendRealtimeInputParameters.builder()
                    .audio(com.google.genai.types.Blob.builder().data(pcm).mimeType(Fixtures.MIME_16K).build())
                    .build());
            if (join) {
                f.get(T, TimeUnit.SECONDS);
            } else {
                futures[index] = f;
            }
        }

        @Override
        public String problems() {
            if (futures == null) {
                return null;
            }
            int failed = 0;
            int pending = 0;
            for (CompletableFuture<?> f : futures) {
                if (f == null || !f.isDone()) {
                    pending++;
                } else if (f.isCompletedExceptionally()) {
                    failed++;
                }
            }
            return failed == 0 && pending == 0 ? null : failed + " send futures failed, " + pending + " not done";
        }

        @Override
        public void close() {
            try {
                session.close().get(T, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The session may already be gone (for example after OkHttp closed it); nothing to release then.
            }
        }
    }

    /** Pre-encoded Habla JSON over a bare JDK WebSocket: one outstanding send at a time, like Habla's writer. */
    private static final class RawSender implements Sender {
        private final RawConnection conn;
        private final String[] frames;
        private final ReentrantLock lock = new ReentrantLock();

        RawSender(RawConnection conn, byte[][] payloads) {
            this.conn = conn;
            this.frames = new String[payloads.length];
            for (int i = 0; i < payloads.length; i++) {
                frames[i] = LiveCodec.encode(ClientMessage.RealtimeInput.ofAudio(payloads[i], 16_000));
            }
        }

        @Override
        public void send(int index, byte[] pcm) throws Exception {
            // The JDK allows one outstanding send per socket; the lock only matters if several producers share it.
            lock.lock();
            try {
                conn.ws.sendText(frames[index], true).get(T, TimeUnit.SECONDS);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String problems() {
            return null;
        }

        @Override
        public void close() {
            conn.close();
        }
    }

    // ---- decode path ----------------------------------------------------------------------------------------

    /** Opens a fresh session (the target expects it) whose listener feeds {@code tally}. */
    Receiver openReceiver(Subject subject, ThroughputTally.Decode tally) throws Exception {
        return switch (subject) {
            case HABLA, HABLA_JDK -> {
                LiveSession s = connectHabla(subject == Subject.HABLA ? habla : hablaJdk, event -> {
                    if (event instanceof LiveEvent.AudioChunk a) {
                        tally.onPcm(a.pcm());
                    }
                });
                yield new Receiver() {
                    @Override
                    public void go() {
                        s.sendRealtimeText("go");
                    }

                    @Override
                    public void close() {
                        s.close();
                    }
                };
            }
            case SDK -> {
                // receive() is registered right after connect (sdk-oracles.md gotcha 3); the server waits for "go".
                AsyncSession s = connectSdk(m -> m.serverContent()
                        .flatMap(LiveServerContent::modelTurn)
                        .flatMap(Content::parts)
                        .ifPresent(parts -> {
                            for (Part p : parts) {
                                p.inlineData().flatMap(com.google.genai.types.Blob::data).ifPresent(tally::onPcm);
                            }
                        }));
                yield new Receiver() {
                    @Override
                    public void go() throws Exception {
                        s.sendRealtimeInput(LiveSendRealtimeInputParameters.builder().text("go").build()).get(T, TimeUnit.SECONDS);
                    }

                    @Override
                    public void close() {
                        try {
                            s.close().get(T, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            // already gone
                        }
                    }
                };
            }
            case RAW_JDK -> {
                RawConnection c = connectRaw(new RawListener(tally));
                yield new Receiver() {
                    @Override
                    public void go() throws Exception {
                        c.ws.sendText(LiveCodec.encode(ClientMessage.RealtimeInput.ofText("go")), true).get(T, TimeUnit.SECONDS);
                    }

                    @Override
                    public void close() {
                        c.close();
                    }
                };
            }
            case SDK_NAIVE, SDK_JOINED -> throw new IllegalArgumentException("decode path: SDK");
        };
    }

    // ---- connecting -----------------------------------------------------------------------------------------

    private static LiveSession connectHabla(LiveClient client, dev.habla.client.SessionListener listener) throws Exception {
        return client.connect(SessionConfig.create(b -> b.model(MODEL).responseModality(ResponseModality.TEXT)), listener);
    }

    private AsyncSession connectSdk(java.util.function.Consumer<com.google.genai.types.LiveServerMessage> onMessage) throws Exception {
        AsyncSession s = sdk.async.live.connect(MODEL,
                LiveConnectConfig.builder().responseModalities(Modality.Known.TEXT).build()).get(T, TimeUnit.SECONDS);
        s.receive(onMessage::accept).get(T, TimeUnit.SECONDS);
        return s;
    }

    private record RawConnection(WebSocket ws) {
        void close() {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(T, TimeUnit.SECONDS);
            } catch (Exception e) {
                ws.abort();
            }
        }
    }

    private RawConnection connectRaw(RawListener listener) throws Exception {
        WebSocket ws = rawHttp.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(T))
                .buildAsync(URI.create(target.rawWsUrl()), listener).get(T, TimeUnit.SECONDS);
        ws.sendText(LiveCodec.encode(ClientMessage.Setup.of("models/" + MODEL, null)), true).get(T, TimeUnit.SECONDS);
        listener.setupComplete.get(T, TimeUnit.SECONDS);
        return new RawConnection(ws);
    }

    /**
     * The ceiling's listener: the first message is setupComplete; every later complete message counts as one frame,
     * with no UTF-8, JSON or base64 work. JDK callbacks are sequential, so {@code partial} needs no lock.
     */
    private static final class RawListener implements WebSocket.Listener {
        final CompletableFuture<Void> setupComplete = new CompletableFuture<>();
        private final ThroughputTally.Decode tally;

        RawListener(ThroughputTally.Decode tally) {
            this.tally = tally;
        }

        private void message() {
            if (!setupComplete.isDone()) {
                setupComplete.complete(null);
            } else if (tally != null) {
                tally.onFrame();
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            if (last) {
                message();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (last) {
                message();
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            setupComplete.completeExceptionally(error);
        }
    }

    @Override
    public void close() {
        habla.close();
        hablaUnbounded.close();
        hablaJdk.close();
        sdk.close();
        rawHttp.close();
    }
}
