package dev.habla.tools;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tool calls of live sessions with a {@link ToolRegistry} and answers them automatically.
 *
 * <pre>{@code
 * try (ToolRunner tools = ToolRunner.create(registry, activity -> System.out.println(activity));
 *      LiveSession session = tools.connect(client, config, event -> ...)) {   // adds registry.declarations() to the setup
 *     session.sendText("What is 6 times 7?");
 *     ...
 * }
 * }</pre>
 * A {@link ResilientSession} (handover, reconnects) the same way, in one call:
 * {@code ResilientSession s = tools.connectResilient(client, config, listener, policy)}; one binding serves all its
 * connections, and a result for a call whose connection is gone reaches the model on the next one (see
 * {@link ResilientSession}). Or, wiring by hand: {@code Binding b = tools.bind(listener);
 * LiveSession s = client.connect(tools.withDeclarations(config), b); b.attach(s);}.
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li>{@link LiveEvent.ToolCallRequested}: every call starts at once on its own virtual thread (parallel calls of
 *       one {@code toolCall} run concurrently), bounded by its tool's timeout.</li>
 *   <li><b>How responses are sent.</b> NON_BLOCKING calls are answered one {@code toolResponse} each, as soon as each
 *       finishes, carrying the tool's {@code scheduling}: the model is not waiting for them and each has its own
 *       timing. The BLOCKING calls of one {@code toolCall} message are answered together in one {@code toolResponse},
 *       in call order, once all of them have finished (or timed out, or been cancelled): the model is waiting for the
 *       whole set, this is what the official SDK samples send, and it avoids the model resuming its turn on a partial
 *       set of results. Per-tool timeouts bound how long a fast result can wait for a slow sibling.</li>
 *   <li>{@link LiveEvent.ToolCallCancelled}: the named calls are interrupted and <b>no response is ever sent for
 *       them</b>, even if the function already returned: the decision to send and the cancellation are taken under
 *       one lock, so a result is either queued before the cancellation was processed or never.</li>
 *   <li>A timeout answers {@code {"error": "timed out after …"}} and interrupts the call; a late result is dropped.</li>
 *   <li>{@link LiveEvent.Closed}: the session's running calls are cancelled (their results could not be delivered).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * The listener returns at once on the session's reader thread: it only starts virtual threads and takes a short
 * lock. Functions run on {@code habla-tool-<name>} virtual threads; results are sent from short-lived
 * {@code habla-tools-result} virtual threads; {@link ToolObserver} calls come in order from one
 * {@code habla-tools-events} virtual thread. {@code lock} guards every call's state, the batches and the choice to send.
 *
 * <p>{@link #close()} cancels every running call and stops the observer thread; it does not close sessions.
 * A runner may serve several sessions one after another (a reconnect gets a new {@link Binding}).
 */
public final class ToolRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ToolRunner.class);
    private static final Object STOP = new Object();
    /** Completions hop to a fresh virtual thread so no send or observer hand-off runs on a caller's thread. */
    private static final Executor RESULT_EXECUTOR = r -> Thread.ofVirtual().name("habla-tools-result").start(r);

    private final ToolRegistry registry;
    private final ToolObserver observer;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock: every call not yet answered or cancelled, by call id (answered and cancelled ones are removed).
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final BlockingQueue<Object> activities = new LinkedBlockingQueue<>();
    private boolean closed; // guarded by lock
    private long anonymous; // guarded by lock; keys for calls without an id

    private enum State { RUNNING, READY, SENT, CANCELLED }

    /** One call. Mutable fields guarded by {@link #lock}. */
    private static final class Pending {
        final String key;
        final FunctionCall call;
        final Binding binding;
        final Batch batch; // null for NON_BLOCKING calls
        ToolInvocation invocation;
        State state = State.RUNNING;
        ToolOutcome outcome;
        FunctionResponse response;

        Pending(String key, FunctionCall call, Binding binding, Batch batch) {
            this.key = key;
            this.call = call;
            this.binding = binding;
            this.batch = batch;
        }
    }

    /** The BLOCKING calls of one toolCall message, answered together. Guarded by {@link #lock}. */
    private static final class Batch {
        final List<Pending> members = new ArrayList<>();
        int running;
    }

    private ToolRunner(ToolRegistry registry, ToolObserver observer) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.observer = Objects.requireNonNull(observer, "observer");
        Thread.ofVirtual().name("habla-tools-events").start(this::deliverActivities);
    }

    /** A runner without an observer. */
    public static ToolRunner create(ToolRegistry registry) {
        return new ToolRunner(registry, ToolObserver.NONE);
    }

    /** A runner reporting tool activity to {@code observer}. */
    public static ToolRunner create(ToolRegistry registry, ToolObserver observer) {
        return new ToolRunner(registry, observer);
    }

    public ToolRegistry registry() {
        return registry;
    }

    /**
     * Connects a session whose setup declares the registry's tools (appended to {@code config.tools()} unless already
     * there) and whose tool calls this runner answers. {@code listener} receives every event, tool events included,
     * after the runner has seen it.
     */
    public LiveSession connect(LiveClient client, SessionConfig config, SessionListener listener) throws LiveException {
        Objects.requireNonNull(client, "client");
        Binding binding = bind(listener);
        LiveSession session = client.connect(withDeclarations(config), binding);
        binding.attach(session);
        return session;
    }

    /**
     * Like {@link #connect}, for a session that outlives its connections
     * ({@link LiveClient#connectResilient(SessionConfig, SessionListener, ResiliencePolicy)}): the registry's tools are
     * declared on every connection, and the runner answers calls on whichever connection carries the conversation.
     */
    public ResilientSession connectResilient(LiveClient client, SessionConfig config, SessionListener listener,
                                             ResiliencePolicy policy) throws LiveException {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(policy, "policy");
        Binding binding = bind(listener);
        ResilientSession session = client.connectResilient(withDeclarations(config), binding, policy);
        binding.attach(session);
        return session;
    }

    /** {@link #connectResilient(LiveClient, SessionConfig, SessionListener, ResiliencePolicy)} with the default policy. */
    public ResilientSession connectResilient(LiveClient client, SessionConfig config, SessionListener listener)
            throws LiveException {
        return connectResilient(client, config, listener, ResiliencePolicy.defaults());
    }

    /** {@code config} with the registry's declarations appended to its tools (those already present are not repeated). */
    public SessionConfig withDeclarations(SessionConfig config) {
        Objects.requireNonNull(config, "config");
        List<dev.habla.protocol.Tool> merged = new ArrayList<>(config.tools());
        for (dev.habla.protocol.Tool t : registry.declarations()) {
            if (!merged.contains(t)) {
                merged.add(t);
            }
        }
        return merged.equals(config.tools()) ? config : config.with(b -> b.tools(merged));
    }

    /**
     * A listener to pass to {@link LiveClient#connect}; it forwards every event to {@code downstream} (may be null) after
     * handling tool events. Call {@link Binding#attach} with the session {@code connect} returns: tool calls that
     * arrive before that are held and run on attach.
     */
    public Binding bind(SessionListener downstream) {
        return new Binding(downstream);
    }

    /** Calls running or waiting to be answered. */
    public int pendingCalls() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels every running call (reported as {@link ToolActivity.Cancelled}, never answered), then stops the observer
     * thread once it has delivered what was already reported. Idempotent; does not close sessions or wait for
     * functions to stop.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Pending p : List.copyOf(pending.values())) {
                cancel(p, "tool runner closed");
            }
            activities.add(STOP);
        } finally {
            lock.unlock();
        }
    }

    /** The session side of a runner: a {@link SessionListener} plus the session it answers. */
    public final class Binding implements SessionListener {
        private final SessionListener downstream;
        // Guarded by lock.
        private LiveSession session;
        private List<LiveEvent> early = new ArrayList<>();

        private Binding(SessionListener downstream) {
            this.downstream = downstream;
        }

        /**
         * The session this listener was passed to; tool calls received before are started now.
         *
         * @throws IllegalStateException if already attached
         */
        public void attach(LiveSession session) {
            Objects.requireNonNull(session, "session");
            lock.lock();
            try {
                if (this.session != null) {
                    throw new IllegalStateException("already attached to session " + this.session.id());
                }
                this.session = session;
                List<LiveEvent> held = early;
                early = null;
                for (LiveEvent e : held) {
                    handle(this, e);
                }
            } finally {
                lock.unlock();
            }
        }

        /** Runs on the session's reader thread: never blocks beyond the runner's short lock. */
        @Override
        public void onEvent(LiveEvent event) {
            switch (event) {
                case LiveEvent.ToolCallRequested r -> handleOrHold(event);
                case LiveEvent.ToolCallCancelled c -> handleOrHold(event);
                case LiveEvent.Closed c -> handleOrHold(event);
                default -> { }
            }
            if (downstream != null) {
                downstream.onEvent(event);
            }
        }

        private void handleOrHold(LiveEvent event) {
            lock.lock();
            try {
                if (session == null) {
                    early.add(event);
                } else {
                    handle(this, event);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Called with {@link #lock} held. */
    private void handle(Binding binding, LiveEvent event) {
        switch (event) {
            case LiveEvent.ToolCallRequested r -> start(binding, r.calls());
            case LiveEvent.ToolCallCancelled c -> {
                for (String id : c.ids()) {
                    Pending p = pending.get(id);
                    if (p == null || p.binding != binding) {
                        log.debug("toolCallCancellation for {}: no such running call (already answered or unknown)", id);
                        continue;
                    }
                    cancel(p, "cancelled by the server");
                }
            }
            case LiveEvent.Closed c -> {
                for (Pending p : List.copyOf(pending.values())) {
                    if (p.binding == binding) {
                        cancel(p, "session closed");
                    }
                }
            }
            default -> { }
        }
    }

    /** Called with {@link #lock} held: registers every call first (so the batch is complete), then starts them. */
    private void start(Binding binding, List<FunctionCall> calls) {
        if (closed) {
            log.warn("Tool runner is closed; {} tool call(s) will not be answered", calls.size());
            return;
        }
        Batch batch = new Batch();
        List<Pending> started = new ArrayList<>();
        for (FunctionCall call : calls) {
            String key = call.id() != null ? call.id() : "<no id " + ++anonymous + ">";
            if (pending.containsKey(key)) {
                log.warn("Duplicate tool call id {} ({}) ignored while the first is still running", key, call.name());
                continue;
            }
            boolean nonBlocking = registry.tool(call.name()).map(FunctionTool::nonBlocking).orElse(false);
            Pending p = new Pending(key, call, binding, nonBlocking ? null : batch);
            if (!nonBlocking) {
                batch.members.add(p);
                batch.running++;
            }
            pending.put(key, p);
            started.add(p);
        }
        for (Pending p : started) {
            report(new ToolActivity.Started(p.call));
            p.invocation = registry.start(p.call);
            p.invocation.outcome().whenCompleteAsync((o, x) -> finished(p, o), RESULT_EXECUTOR);
        }
    }

    /** On a result thread: the call has an outcome; send it (NON_BLOCKING) or park it in its batch. */
    private void finished(Pending p, ToolOutcome outcome) {
        lock.lock();
        try {
            if (p.state != State.RUNNING) {
                return; // cancelled meanwhile: its result must never be sent
            }
            if (outcome instanceof ToolOutcome.Cancelled) {
                return; // only this runner cancels invocations, and it marks the call first
            }
            p.outcome = outcome;
            p.response = p.invocation.response(outcome);
            p.state = State.READY;
            if (p.batch == null) {
                send(List.of(p));
            } else {
                p.batch.running--;
                flushIfDone(p.batch);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called with {@link #lock} held. */
    private void cancel(Pending p, String reason) {
        if (p.state == State.SENT || p.state == State.CANCELLED) {
            return;
        }
        boolean wasRunning = p.state == State.RUNNING;
        p.state = State.CANCELLED;
        pending.remove(p.key);
        if (p.invocation != null) {
            p.invocation.cancel(reason);
        }
        report(new ToolActivity.Cancelled(p.call, reason,
                p.invocation != null ? p.invocation.elapsed() : java.time.Duration.ZERO));
        if (p.batch != null) {
            if (wasRunning) {
                p.batch.running--;
            }
            flushIfDone(p.batch);
        }
    }

    /** Called with {@link #lock} held: sends the batch once none of its calls is running. */
    private void flushIfDone(Batch batch) {
        if (batch.running > 0) {
            return;
        }
        List<Pending> ready = batch.members.stream().filter(m -> m.state == State.READY).toList();
        if (!ready.isEmpty()) {
            send(ready);
        }
    }

    /** Called with {@link #lock} held; the session's send only enqueues, so holding the lock here is cheap. */
    private void send(List<Pending> answered) {
        LiveSession session = answered.getFirst().binding.session;
        List<FunctionResponse> responses = answered.stream().map(p -> p.response).toList();
        // Outcomes are reported before the response is queued: the observer (e.g. a terminal printing
        // "[tool calculator → 42]") then gets a head start on the model's answer to that response.
        for (Pending p : answered) {
            report(switch (p.outcome) {
                case ToolOutcome.Completed c -> new ToolActivity.Completed(p.call, c.output(), c.elapsed());
                case ToolOutcome.Failed f -> new ToolActivity.Failed(p.call, f.kind(), f.message(), f.elapsed());
                case ToolOutcome.TimedOut t -> new ToolActivity.TimedOut(p.call, t.timeout());
                case ToolOutcome.Cancelled c -> throw new IllegalStateException("cancelled calls are never sent");
            });
        }
        SendResult result = session.sendToolResponse(responses);
        for (Pending p : answered) {
            p.state = State.SENT;
            pending.remove(p.key);
            if (result != SendResult.QUEUED) {
                String why = result == SendResult.CLOSED ? "session closed" : "send queue over budget";
                log.warn("Tool response for {} ({}) not delivered: {}", p.call.name(), p.call.id(), why);
                report(new ToolActivity.NotDelivered(p.call, why));
            }
        }
    }

    private void report(ToolActivity activity) {
        activities.add(activity);
    }

    /** The observer thread: delivers activities in order until close(). */
    private void deliverActivities() {
        while (true) {
            Object next;
            try {
                next = activities.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next == STOP) {
                return;
            }
            try {
                observer.onActivity((ToolActivity) next);
            } catch (RuntimeException e) {
                log.warn("Tool observer failed on {}", next, e);
            }
        }
    }

    @Override
    public String toString() {
        return "ToolRunner[" + registry + ", pending=" + pendingCalls() + "]";
    }
}
