package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session machinery over an in-memory transport: paths the emulator cannot easily provoke (a peer that never
 * answers pings, flow-control accounting).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FakeTransportTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().factory());
    private final LinkedBlockingQueue<LiveEvent> events = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** A connection that records what the session does and answers nothing unless told. */
    static final class FakeConnection implements Transport.Connection {
        private final FakeTransport transport;

        FakeConnection(FakeTransport transport) {
            this.transport = transport;
        }

        final List<String> sent = new CopyOnWriteArrayList<>();
        final AtomicInteger requested = new AtomicInteger();
        final AtomicInteger pings = new AtomicInteger();
        volatile boolean aborted;
        /** When true, every ping is answered with a pong at once, like a healthy peer. */
        volatile boolean autoPong;
        volatile Transport.Listener listener;

        @Override
        public void sendText(String text) {
            sent.add(text);
        }

        @Override
        public CompletableFuture<?> sendPing() {
            pings.incrementAndGet();
            if (autoPong) {
                listener.onPong();
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<?> sendClose(int code, String reason) {
            sent.add("CLOSE " + code);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void request(long n) {
            requested.addAndGet((int) n);
            transport.credit(n);
        }

        @Override
        public void abort() {
            aborted = true;
        }
    }

    /**
     * Opens at once; the test drives the listener. Honours demand like the JDK adapter: one message on open, then one
     * per unit of {@code request(n)}; the rest waits in {@link #pending}. {@code lock} guards pending, credit and pumping.
     */
    static final class FakeTransport implements Transport {
        final FakeConnection connection = new FakeConnection(this);
        volatile Listener listener;
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private final java.util.ArrayDeque<String> pending = new java.util.ArrayDeque<>();
        private long credit = 1;
        private boolean pumping;
        final AtomicInteger delivered = new AtomicInteger();

        void credit(long n) {
            lock.lock();
            try {
                credit += n;
            } finally {
                lock.unlock();
            }
            pump();
        }

        int pending() {
            lock.lock();
            try {
                return pending.size();
            } finally {
                lock.unlock();
            }
        }

        private void pump() {
            while (true) {
                String next;
                lock.lock();
                try {
                    if (pumping || credit == 0 || pending.isEmpty()) {
                        return;
                    }
                    credit--;
                    pumping = true;
                    next = pending.poll();
                } finally {
                    lock.unlock();
                }
                delivered.incrementAndGet();
                listener.onMessage(new InboundFrame(next, null));
                lock.lock();
                try {
                    pumping = false;
                } finally {
                    lock.unlock();
                }
            }
        }

        @Override
        public CompletableFuture<Connection> open(ConnectRequest request, Duration timeout, Listener l) {
            listener = l;
            connection.listener = l;
            l.onOpen(connection);
            return CompletableFuture.completedFuture(connection);
        }

        void receive(String json) {
            lock.lock();
            try {
                pending.add(json);
            } finally {
                lock.unlock();
            }
            pump();
        }
    }

    private RealLiveSession session(FakeTransport t, Duration ping) {
        ClientConfig c = ClientConfig.create(b -> b.apiKey("k").pingInterval(ping).closeTimeout(Duration.ofMillis(200)));
        SessionConfig s = SessionConfig.create(b -> b.model("m"));
        return new RealLiveSession("t1", c, s, GeminiProvider.INSTANCE, t, timer, events::add, () -> {});
    }

    @Test
    void aPeerThatNeverAnswersPingsIsDeclaredGone() throws Exception {
        FakeTransport t = new FakeTransport();
        RealLiveSession s = session(t, Duration.ofMillis(30));
        CompletableFuture<LiveSession> f = s.start();
        t.receive("{\"setupComplete\":{}}");
        f.get(5, TimeUnit.SECONDS);
        assertThat(events.poll(5, TimeUnit.SECONDS)).isInstanceOf(LiveEvent.SetupCompleted.class);
        LiveEvent.Closed closed = (LiveEvent.Closed) events.poll(5, TimeUnit.SECONDS);
        assertThat(closed.error().kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(closed.error().getMessage()).contains("no pong");
        assertThat(t.connection.pings.get()).isGreaterThanOrEqualTo(1);
        assertThat(t.connection.aborted).isTrue();
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
    }

    @Test
    void pongsKeepTheSessionAliveAndSetupIsTheFirstFrame() throws Exception {
        FakeTransport t = new FakeTransport();
        t.connection.autoPong = true;
        RealLiveSession s = session(t, Duration.ofMillis(20));
        CompletableFuture<LiveSession> f = s.start();
        t.receive("{\"setupComplete\":{}}");
        f.get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.connection.pings.get() < 10 && s.state() == SessionState.OPEN && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
        assertThat(t.connection.pings.get()).isGreaterThanOrEqualTo(10);
        assertThat(s.state()).isEqualTo(SessionState.OPEN);
        assertThat(t.connection.sent.getFirst()).startsWith("{\"setup\":{\"model\":\"models/m\"");
        s.abort();
    }

    @Test
    void demandIsWithheldWhenTheBufferIsFullAndPaidBackAfterwards() throws Exception {
        FakeTransport t = new FakeTransport();
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        ClientConfig c = ClientConfig.create(b -> b.apiKey("k").pingInterval(Duration.ZERO));
        RealLiveSession s = new RealLiveSession("t2", c, SessionConfig.create(b -> b.model("m")), GeminiProvider.INSTANCE,
                t, timer, e -> {
                    try {
                        gate.await();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                    events.add(e);
                }, () -> {});
        s.start();
        t.receive("{\"setupComplete\":{}}");
        int n = RealLiveSession.INBOUND_CAPACITY + 10;
        for (int i = 0; i < n; i++) {
            t.receive("{\"serverContent\":{\"modelTurn\":{\"parts\":[{\"text\":\"" + i + "\"}]}}}");
        }
        // The listener is stuck on SetupCompleted: the session stopped asking once its buffer was full.
        assertThat(t.delivered.get()).isLessThanOrEqualTo(RealLiveSession.INBOUND_CAPACITY + 1);
        assertThat(t.pending()).isGreaterThanOrEqualTo(n + 1 - RealLiveSession.INBOUND_CAPACITY - 1);
        gate.countDown();
        for (int i = 0; i <= n; i++) {
            assertThat(events.poll(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(t.pending()).isZero();
        // Every frame taken gave its credit back (in batches): the transport holds a full window again, less the frames
        // of a batch not yet complete. Never more than the window.
        long outstanding = 1 + t.connection.requested.get() - t.delivered.get();
        assertThat(outstanding).isBetween((long) RealLiveSession.INBOUND_CAPACITY - RealLiveSession.CREDIT_BATCH + 1,
                (long) RealLiveSession.INBOUND_CAPACITY);
        s.abort();
    }
}
