package dev.habla.gateway.internal;

import dev.habla.client.LiveClient;
import dev.habla.client.ResiliencePolicy;
import dev.habla.tools.ToolRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every session of one gateway shares: the upstream client, tokens, accounting, server-side tools, the
 * resilience policy, the conversations by gateway resumption handle, the cluster (or {@link Cluster#STANDALONE}),
 * upstream admission and whether this node is draining. Thread-safe (the map is concurrent; the rest
 * is immutable or thread-safe itself).
 *
 * @param resumeGrace how long a conversation whose client dropped waits for it to resume
 * @param heldBytes   what a detached conversation holds for its client at most (over it, the conversation ends)
 * @param recorder    records the upstream of the apps configured for it (per conversation)
 */
public record Hub(LiveClient upstream, TokenStore tokens, Accounting accounting, ToolRegistry tools, ResiliencePolicy policy,
        Duration resumeGrace, long heldBytes, ScheduledExecutorService timers, Map<String, Conversation> byHandle,
        AtomicLong ids, Cluster cluster, Admission admission, AtomicBoolean draining, SessionRecorder recorder) {

    public static Hub create(LiveClient upstream, TokenStore tokens, Accounting accounting, ToolRegistry tools,
            ResiliencePolicy policy, Duration resumeGrace, long heldBytes, Cluster cluster, Admission admission,
            SessionRecorder recorder) {
        return new Hub(upstream, tokens, accounting, tools, policy, resumeGrace, heldBytes,
                Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("habla-gateway-timers").factory()),
                new ConcurrentHashMap<>(), new AtomicLong(), cluster, admission, new AtomicBoolean(), recorder);
    }

    /** Cluster-unique session id (slots, logs): this node's id and the conversation's number. */
    public String sid(long id) {
        return cluster.nodeId() + "-" + id;
    }

    /** The node's hooks for the cluster's periodic work. */
    public Cluster.Node clusterHooks() {
        return new Cluster.Node() {
            @Override
            public List<Conversation> conversations() {
                return Hub.this.conversations();
            }

            @Override
            public void handOff(String handle) {
                Conversation c = byHandle.get(handle);
                if (c != null) {
                    c.handOff(Duration.ofSeconds(10));
                }
            }

            @Override
            public void revoked(String tokenHash) {
                tokens.markRevoked(tokenHash);
            }
        };
    }

    /** Every conversation open now (attached or waiting in its grace period). */
    public List<Conversation> conversations() {
        return List.copyOf(byHandle.values());
    }

    /** Ends every conversation (1001) and stops the timers. */
    public void shutdown() {
        for (Conversation c : conversations()) {
            c.end(1001, "Gateway shutting down.");
        }
        timers.shutdownNow();
        try {
            timers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
