package dev.habla.cli;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveSession;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The chat's one {@link ResilientSession} (habla-client), which keeps the conversation across the service's
 * connection limit ({@code goAway}: make-before-break handover at a turn boundary), unexpected drops (reconnect with
 * the resumption handle, or re-seeding when the handle is refused), silent stalls, and tool calls pending across a
 * switch. This class adds only what a terminal needs around it: the first connect runs in the background while the
 * user types, the first turn waits for it, and Ctrl-C can abort that wait.
 *
 * <p>Threads: created, {@link #awaitSession} and {@link #close} on the main thread; {@link #abortConnect} on JLine's
 * signal thread (Ctrl-C); {@code onOpen} on the thread that completes the connect. All state is in {@link #connecting}
 * (a thread-safe future).
 */
final class Link implements AutoCloseable {

    /** How the chat keeps its session alive; see {@link #policy()}. */
    private static final ResiliencePolicy POLICY = policy();

    private final CompletableFuture<ResilientSession> connecting;

    /**
     * Starts the first connect. {@code listener} gets everything the session reports (one {@code Closed}, last, also
     * when the connect fails); {@code onOpen} is called with the session once it is set up.
     */
    Link(LiveClient client, SessionConfig config, SessionListener listener, Consumer<LiveSession> onOpen) {
        connecting = client.connectResilientAsync(config, listener, POLICY);
        connecting.thenAccept(onOpen);
    }

    /**
     * The library's defaults (six reconnect attempts over about 8 s, handover a minute before the documented
     * 10-minute limit) plus: a stalled answer is not left hanging in a chat. No reply 15 s after a message, or 15 s
     * of nothing in the middle of an answer, reconnects, and a message that got no reply is sent again. The mid-turn
     * limit is raised from 5 s to 15 s because server-side code execution and search can pause an answer for seconds.
     */
    static ResiliencePolicy policy() {
        return ResiliencePolicy.create(p -> p.reconnectOnStall(true).midTurnStallTimeout(Duration.ofSeconds(15)));
    }

    /**
     * Main thread: the open session, once the first connect finished. Calls {@code slow} once if that takes longer
     * than {@code patience}.
     *
     * @throws ExecutionException    the connect failed (its cause is the typed {@code LiveException})
     * @throws CancellationException {@link #abortConnect} stopped it
     */
    ResilientSession awaitSession(Duration patience, Runnable slow) throws InterruptedException, ExecutionException {
        try {
            return connecting.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            slow.run();
        }
        return connecting.get();
    }

    /** Whether the first connect failed (or was aborted); the cause comes from {@link #awaitSession}. */
    boolean connectFailed() {
        return connecting.isCompletedExceptionally();
    }

    /**
     * Signal thread (Ctrl-C): aborts the first connect if it is still under way; whoever waits in
     * {@link #awaitSession} gets a {@link CancellationException}.
     *
     * @return true if a connect was aborted
     */
    boolean abortConnect() {
        return !connecting.isDone() && connecting.cancel(false);
    }

    /** Main thread: closes the session (close 1000, after what was sent is flushed) or aborts the connect. Idempotent. */
    @Override
    public void close() {
        if (!connecting.cancel(false) && connecting.state() == Future.State.SUCCESS) {
            connecting.resultNow().close();
        }
    }
}
