package dev.habla.emulator.internal;

import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.Tool;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Tool-call bookkeeping of one connection: the declared functions, the calls sent and not yet answered, and the ids
 * cancelled by a barge-in (their late responses are ignored, not refused). Only touched with the connection's lock held.
 */
final class ToolCalls {
    /** Cancelled ids remembered (the newest); a response to an older one is refused like an unknown id. */
    static final int MAX_CANCELLED = 1024;

    /** A call sent and not answered; {@code turn} is the model turn it belongs to. */
    record Pending(String id, String name, boolean nonBlocking, Turn turn) {}

    private final Map<String, FunctionDeclaration> functions = new LinkedHashMap<>();
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final LinkedHashSet<String> cancelled = new LinkedHashSet<>();

    /** Adds the function declarations of {@code tools} (setup). */
    void declare(List<Tool> tools) {
        if (tools == null) {
            return;
        }
        for (Tool t : tools) {
            if (t != null && t.functionDeclarations() != null) {
                for (FunctionDeclaration d : t.functionDeclarations()) {
                    if (d != null && d.name() != null) {
                        functions.put(d.name(), d);
                    }
                }
            }
        }
    }

    /** Replaces the declarations ({@code contextUpdate.tools}). */
    void redeclare(List<Tool> tools) {
        functions.clear();
        declare(tools);
    }

    Map<String, FunctionDeclaration> functions() {
        return functions;
    }

    /**
     * Registers {@code requested} as calls of turn {@code t} with fresh ids; they are non-blocking only if every called
     * function is declared {@code NON_BLOCKING}, otherwise {@code t} waits for all of them.
     *
     * @return the calls with their ids
     */
    List<FunctionCall> issue(Turn t, List<FunctionCall> requested, Supplier<String> ids) {
        List<FunctionCall> calls = new ArrayList<>(requested.size());
        boolean allNonBlocking = true;
        for (FunctionCall c : requested) {
            calls.add(new FunctionCall(ids.get(), c.name(), c.args()));
            FunctionDeclaration d = functions.get(c.name());
            allNonBlocking &= d != null && d.behavior() == FunctionDeclaration.Behavior.NON_BLOCKING;
        }
        t.calls.addAll(calls);
        for (FunctionCall c : calls) {
            pending.put(c.id(), new Pending(c.id(), c.name(), allNonBlocking, t));
            if (!allNonBlocking) {
                t.waitingFor.add(c.id());
            }
        }
        return calls;
    }

    /** Whether every response answers a call we sent (pending or cancelled); else the service refuses them. */
    boolean allKnown(List<FunctionResponse> responses) {
        for (FunctionResponse r : responses) {
            if (r == null || r.id() == null || (!pending.containsKey(r.id()) && !cancelled.contains(r.id()))) {
                return false;
            }
        }
        return true;
    }

    boolean isCancelled(String id) {
        return cancelled.contains(id);
    }

    Pending get(String id) {
        return pending.get(id);
    }

    void answered(String id) {
        pending.remove(id);
    }

    /** Cancels the blocking calls turn {@code t} waits for; returns their ids. */
    List<String> cancelFor(Turn t) {
        List<String> ids = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending pc = it.next();
            if (pc.turn() == t && !pc.nonBlocking()) {
                ids.add(pc.id());
                it.remove();
                cancelled.add(pc.id());
            }
        }
        while (cancelled.size() > MAX_CANCELLED) {
            cancelled.removeFirst();
        }
        return ids;
    }

    /** Whether a blocking call waits for its response (the session is then not resumable). */
    boolean blockingPending() {
        return pending.values().stream().anyMatch(pc -> !pc.nonBlocking());
    }

    /** {@code r} with the name of the function it answers. */
    static FunctionResponse named(FunctionResponse r, String name) {
        return new FunctionResponse(r.id(), name, r.response(), r.parts(), r.willContinue(), r.scheduling());
    }

    /** How many cancelled ids are remembered (bounded by {@link #MAX_CANCELLED}). */
    int cancelledCount() {
        return cancelled.size();
    }
}
