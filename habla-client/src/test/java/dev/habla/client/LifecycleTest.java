package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.LiveException.Kind;
import dev.habla.emulator.EmulatorSession;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Listener failure, close and abort under load, ordering across threads, the byte budget. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LifecycleTest extends EmulatorTest {

    @Test
    void throwingListenerFailsTheSessionOnceAndTellsTheServer() throws Exception {
        RecordingListener rec = new RecordingListener().throwOn(e -> e instanceof LiveEvent.TextDelta);
        LiveSession s = client.connect(text(), rec);
        extension.closeAfterwards(s);
        String serverSide = emulator.sessions().getLast().id();
        s.sendText("make me throw");
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.code()).isEqualTo(1011);
        assertThat(closed.error().kind()).isEqualTo(Kind.LISTENER_FAILED);
        assertThat(closed.error().getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("boom");
        assertThat(closed.error().getMessage()).contains("TextDelta");
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
        rec.assertTerminatedOnce();
        // The first TextDelta threw; nothing of that turn after it was delivered.
        List<LiveEvent> events = rec.events();
        assertThat(events).hasSize(3); // SetupCompleted, TextDelta, Closed
        assertThat(s.sendText("after")).isEqualTo(SendResult.CLOSED);
        // The server saw the connection end.
        eventually(() -> !emulator.session(serverSide).map(EmulatorSession::open).orElse(true));
    }

    @Test
    void closeWhileOtherThreadsSendIsQuietAndTerminatesOnce() throws Exception {
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger closedResults = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> senders = new ArrayList<>();
        byte[] pcm = new byte[3200];
        for (int t = 0; t < 4; t++) {
            int id = t;
            senders.add(Thread.ofVirtual().start(() -> {
                started.countDown();
                try {
                    for (int i = 0; i < 5_000; i++) {
                        SendResult r = id % 2 == 0 ? s.sendAudio(pcm, 16_000)
                                : s.sendClientContent(List.of(Content.text("user", "x" + i)), false);
                        if (r == SendResult.CLOSED) {
                            closedResults.incrementAndGet();
                            return;
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        started.await();
        s.close();
        assertThat(s.state()).isIn(SessionState.CLOSED, SessionState.FAILED);
        for (Thread t : senders) {
            t.join();
        }
        s.close(); // idempotent
        s.abort(); // no effect after close
        assertThat(errors).isEmpty();
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNull();
        assertThat(s.state()).isEqualTo(SessionState.CLOSED);
        assertThat(s.sendText("later")).isEqualTo(SendResult.CLOSED);
        assertThat(s.queuedBytes()).isZero();
        rec.assertTerminatedOnce();
    }

    @Test
    void abortDropsAtOnceAndIsIdempotent() throws Exception {
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        s.abort();
        s.abort();
        s.close();
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.code()).isEqualTo(1006);
        assertThat(closed.error()).isNull();
        assertThat(s.state()).isEqualTo(SessionState.CLOSED);
        rec.assertTerminatedOnce();
    }

    @Test
    void listenerMayCloseTheSessionFromItsOwnThread() throws Exception {
        RecordingListener rec = new RecordingListener();
        LiveSession[] self = new LiveSession[1];
        SessionListener closing = e -> {
            rec.onEvent(e);
            if (e instanceof LiveEvent.TurnComplete) {
                self[0].close();
            }
        };
        self[0] = client.connect(text(), closing);
        self[0].sendText("bye");
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNull();
        rec.assertTerminatedOnce();
    }

    @Test
    void clientCloseAbortsItsSessions() throws Exception {
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        client.close();
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error().kind()).isEqualTo(Kind.CLOSED);
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
        RecordingListener late = new RecordingListener();
        assertThatThrownBy(() -> client.connect(text(), late)).isInstanceOf(LiveException.class)
                .extracting(e -> ((LiveException) e).kind()).isEqualTo(Kind.CLOSED);
        late.awaitClosed(WAIT);
        late.assertTerminatedOnce();
    }

    @Test
    void rawSetupIsRefused() throws Exception {
        LiveSession s = client.connect(text(), new RecordingListener());
        extension.closeAfterwards(s);
        assertThatThrownBy(() -> s.send(ClientMessage.Setup.of("models/x", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one setup");
    }

    private static final Pattern SEQ = Pattern.compile("t(\\d+)-(\\d+)");

    @Test
    void thousandRapidSendsFromSeveralThreadsKeepEachThreadsOrder() throws Exception {
        LiveSession s = client.connect(text(), new RecordingListener());
        extension.closeAfterwards(s);
        takeMatching(m -> m instanceof ClientMessage.Setup);
        int threads = 4;
        int perThread = 250;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            senders.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    // turnComplete=false: appended to history without a reply, so the server stays quiet.
                    assertThat(s.sendClientContent(List.of(Content.text("user", "t" + id + "-" + i)), false))
                            .isEqualTo(SendResult.QUEUED);
                }
            }));
        }
        go.countDown();
        for (Thread t : senders) {
            t.join();
        }
        Map<Integer, Integer> next = new HashMap<>();
        int reorders = 0;
        for (int n = 0; n < threads * perThread; n++) {
            ReceivedMessage m = takeMatching(x -> x instanceof ClientMessage.ClientContent);
            String text = ((ClientMessage.ClientContent) m.message()).turns().getFirst().parts().getFirst().text();
            Matcher mt = SEQ.matcher(text);
            assertThat(mt.matches()).isTrue();
            int thread = Integer.parseInt(mt.group(1));
            int seq = Integer.parseInt(mt.group(2));
            if (seq != next.getOrDefault(thread, 0)) {
                reorders++;
            }
            next.put(thread, seq + 1);
            assertThat(m.binaryFrame()).isFalse();
        }
        assertThat(reorders).isZero();
        assertThat(next.values()).containsOnly(perThread);
        assertThat(s.droppedMessages()).isZero();
    }

    @Test
    void budgetDropsOldestMediaAndAccountsForEveryMessage() throws Exception {
        // 64 KiB budget; each 12,000-byte chunk is ~16 KB of JSON, so only a few fit while the writer is busy.
        LiveClient small = newClient(b -> b.sendQueueBudgetBytes(64 << 10));
        LiveSession s = small.connect(text(), new RecordingListener());
        int chunks = 400;
        byte[] pcm = new byte[12_000];
        int queued = 0;
        int refused = 0;
        for (int i = 0; i < chunks; i++) {
            SendResult r = s.sendAudio(pcm, 16_000);
            if (r == SendResult.QUEUED) {
                queued++;
            } else {
                assertThat(r).isEqualTo(SendResult.DROPPED_OVER_BUDGET);
                refused++;
            }
            assertThat(s.queuedBytes()).isLessThanOrEqualTo(64 << 10);
        }
        // A control message larger than the whole budget is refused and counted, never queued.
        String huge = "y".repeat(70 << 10);
        assertThat(s.sendText(huge)).isEqualTo(SendResult.DROPPED_OVER_BUDGET);
        assertThat(s.sendText("end")).isEqualTo(SendResult.QUEUED);
        long dropped = s.droppedMessages();
        s.close(); // flushes what is still queued
        assertThat(dropped).isPositive();
        assertThat(refused).isLessThanOrEqualTo((int) dropped);
        // Every chunk was either written or counted as dropped (evicted or refused).
        long evicted = dropped - 1 - refused;
        long expectedAudio = queued - evicted;
        int audioAtServer = 0;
        while (true) {
            ReceivedMessage m = emulator.takeClientMessage(Duration.ofMillis(500));
            if (m == null) {
                break;
            }
            if (m.message() instanceof ClientMessage.RealtimeInput r && r.audio() != null) {
                audioAtServer++;
            }
        }
        assertThat(audioAtServer).isEqualTo(expectedAudio);
        assertThat(s.droppedBytes()).isGreaterThanOrEqualTo(huge.length());
    }
}
