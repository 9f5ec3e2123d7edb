package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SessionListener#audioOnIoThread()} on a resilient session over the Netty transport: audio chunks read while
 * nothing waits reach the listener on the socket's thread (the event loop given as the session's I/O executor), every
 * other event on the session's own threads, and the listener sees the same events in the same order as one without the option, also when
 * a slow listener makes audio queue behind another event.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IoThreadAudioTest extends EmulatorTest {

    static SessionConfig audio() {
        return SessionConfig.create(b -> b.model(HALF_CASCADE).responseModality(dev.habla.protocol.ResponseModality.AUDIO)
                .outputTranscription(true));
    }

    /** Records each event with the thread it came on; optionally slow on the first transcription. */
    static final class Recorder implements SessionListener {
        final boolean onIo;
        final List<LiveEvent> events = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch turns;
        final long slowMillis;
        volatile boolean slowed;

        Recorder(boolean onIo, int turns, long slowMillis) {
            this.onIo = onIo;
            this.turns = new CountDownLatch(turns);
            this.slowMillis = slowMillis;
        }

        @Override
        public void onEvent(LiveEvent event) {
            if (event instanceof LiveEvent.ConnectionEvent || event instanceof LiveEvent.ResumptionUpdate
                    || event instanceof LiveEvent.Usage) {
                return;
            }
            events.add(event);
            threads.add(event.getClass().getSimpleName() + "@" + Thread.currentThread().getName());
            if (slowMillis > 0 && !slowed && event instanceof LiveEvent.OutputTranscription) {
                slowed = true;
                try {
                    Thread.sleep(slowMillis); // the audio read meanwhile queues behind this event
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (event instanceof LiveEvent.TurnComplete) {
                turns.countDown();
            }
        }

        @Override
        public boolean audioOnIoThread() {
            return onIo;
        }

        /** Event kinds in order, consecutive audio chunks as one, and all audio bytes joined. */
        String shape() {
            StringBuilder b = new StringBuilder();
            String last = "";
            for (LiveEvent e : events) {
                String k = e.getClass().getSimpleName();
                if (!k.equals(last) || !k.equals("AudioChunk")) {
                    b.append(k).append(' ');
                }
                last = k;
            }
            return b.toString();
        }

        byte[] audio() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (LiveEvent e : events) {
                if (e instanceof LiveEvent.AudioChunk a) {
                    out.writeBytes(a.pcm());
                }
            }
            return out.toByteArray();
        }
    }

    private Recorder converse(LiveClient c, boolean onIo, long slowMillis, Executor io) throws Exception {
        Recorder rec = new Recorder(onIo, 2, slowMillis);
        try (ResilientSession s = c.connectResilientAsync(audio(), rec, ResiliencePolicy.defaults(), io)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            s.sendText("Tell me a story about the sea and the wind, please");
            s.sendText("And another one about mountains");
            assertThat(rec.turns.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("both turns answered").isTrue();
        }
        return rec;
    }

    @Test
    void audioComesOnTheGivenEventLoopAndTheRestOnTheSessionsThreadsInTheSameOrder() throws Exception {
        LiveClient c = newClient(b -> b.transport(ClientConfig.Transport.NETTY));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("joined-loop", true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            Recorder plain = converse(c, false, 0, null);
            Recorder onIo = converse(c, true, 0, group.next());

            assertThat(onIo.shape()).isEqualTo(plain.shape());
            assertThat(onIo.audio()).isEqualTo(plain.audio()).isNotEmpty();
            assertThat(plain.threads).noneMatch(t -> t.contains("@joined-loop"));
            // Audio read while nothing waits comes on the loop; audio behind another event (a transcription being
            // handled) keeps its place on the session's threads. Nothing else ever comes on the loop.
            assertThat(onIo.threads).filteredOn(t -> t.startsWith("AudioChunk@"))
                    .anyMatch(t -> t.startsWith("AudioChunk@joined-loop"))
                    .noneMatch(t -> t.startsWith("AudioChunk@habla-netty"));
            assertThat(onIo.threads).filteredOn(t -> !t.startsWith("AudioChunk@")).noneMatch(t -> t.contains("@joined-loop"));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void audioBehindASlowEventWaitsForItAndNothingIsLost() throws Exception {
        LiveClient c = newClient(b -> b.transport(ClientConfig.Transport.NETTY));
        Recorder plain = converse(c, false, 0, null);
        Recorder slow = converse(c, true, 300, null);
        assertThat(slow.shape()).isEqualTo(plain.shape());
        assertThat(slow.audio()).isEqualTo(plain.audio());
        // Some audio came the session's way (queued behind the slow event), some on the transport's loop.
        assertThat(slow.threads).filteredOn(t -> t.startsWith("AudioChunk@"))
                .anyMatch(t -> t.startsWith("AudioChunk@habla-netty")).anyMatch(t -> !t.startsWith("AudioChunk@habla-netty"));
    }
}
