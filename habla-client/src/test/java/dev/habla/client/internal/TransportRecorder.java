package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records callbacks; checks on every message that no more arrived than the credit allowed. */
class TransportRecorder implements Transport.Listener {
    private static final Duration WAIT = Duration.ofSeconds(10);
    final CompletableFuture<Transport.Connection> opened = new CompletableFuture<>();
    final LinkedBlockingQueue<Transport.InboundFrame> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> pong = new CompletableFuture<>();
    final CompletableFuture<int[]> closed = new CompletableFuture<>();
    final CompletableFuture<Throwable> error = new CompletableFuture<>();
    /** Messages the transport may deliver: 1 unasked, plus what the test requested. */
    final AtomicInteger allowed = new AtomicInteger(1);
    final AtomicInteger delivered = new AtomicInteger();
    final List<String> violations = new CopyOnWriteArrayList<>();

    @Override
    public void onOpen(Transport.Connection connection) {
        opened.complete(connection);
    }

    @Override
    public void onMessage(Transport.InboundFrame frame) {
        if (delivered.incrementAndGet() > allowed.get()) {
            violations.add("message " + delivered.get() + " with credit for " + allowed.get());
        }
        messages.add(frame);
    }

    @Override
    public void onPong() {
        pong.complete(null);
    }

    @Override
    public void onClose(int code, String reason) {
        closed.complete(new int[] {code});
    }

    @Override
    public void onError(Throwable e) {
        error.complete(e);
    }

    void request(Transport.Connection c, int n) {
        allowed.addAndGet(n); // counted before asked, so a prompt delivery is never taken for a violation
        c.request(n);
    }

    Transport.InboundFrame next() throws InterruptedException {
        Transport.InboundFrame f = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(f).as("a message within " + WAIT).isNotNull();
        return f;
    }
}
