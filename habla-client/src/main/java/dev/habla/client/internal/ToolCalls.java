package dev.habla.client.internal;

import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.Part;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's tool calls a resilient session remembers, to route their responses: a response for a call the current
 * connection made goes as a {@code toolResponse}; one for a call of an earlier connection (which the current one never
 * issued) as conversation content. Bounded: answered calls are forgotten first. Not thread-safe: {@link SendPath}
 * guards it with its lock.
 */
final class ToolCalls {
    /** Tool calls remembered for routing their responses. */
    static final int MAX_TRACKED_CALLS = 256;

    private static final class Pending {
        final FunctionCall call;
        final int connSeq;
        final long receivedNanos;
        boolean answered;

        Pending(FunctionCall call, int connSeq, long receivedNanos) {
            this.call = call;
            this.connSeq = connSeq;
            this.receivedNanos = receivedNanos;
        }
    }

    /** How responses split for connection {@code connSeq}: its own calls, and the others' as call + response parts. */
    record Routing(List<FunctionResponse> direct, List<Part> callParts, List<Part> responseParts) {
        boolean allDirect() {
            return callParts.isEmpty();
        }
    }

    private final LinkedHashMap<String, Pending> calls = new LinkedHashMap<>();

    void requested(List<FunctionCall> requested, int connSeq, long now) {
        for (FunctionCall fc : requested) {
            if (fc.id() != null) {
                calls.put(fc.id(), new Pending(fc, connSeq, now));
            }
        }
        prune();
    }

    void cancelled(List<String> ids) {
        for (String id : ids) {
            calls.remove(id);
        }
    }

    /** For each response to a call not answered yet: the tool's name and the round trip at {@code now}. */
    void roundTrips(List<FunctionResponse> responses, long now, java.util.function.ObjLongConsumer<String> record) {
        for (FunctionResponse r : responses) {
            Pending pc = r.id() == null ? null : calls.get(r.id());
            if (pc != null && !pc.answered) {
                record.accept(pc.call.name(), Math.max(0, now - pc.receivedNanos));
            }
        }
    }

    Routing route(List<FunctionResponse> responses, int connSeq) {
        List<FunctionResponse> direct = new ArrayList<>();
        List<Part> callParts = new ArrayList<>();
        List<Part> responseParts = new ArrayList<>();
        for (FunctionResponse r : responses) {
            Pending pc = r.id() == null ? null : calls.get(r.id());
            if (pc == null || pc.connSeq == connSeq) {
                direct.add(r);
            } else {
                callParts.add(new Part(null, null, pc.call, null, null, null, null, null, false, null, null));
                responseParts.add(new Part(null, null, null, r, null, null, null, null, false, null, null));
            }
        }
        return new Routing(direct, callParts, responseParts);
    }

    /** The responses were delivered: their calls are answered (unless the tool will continue). */
    void answered(List<FunctionResponse> responses) {
        for (FunctionResponse r : responses) {
            Pending pc = r.id() == null ? null : calls.get(r.id());
            if (pc != null && !r.willContinue()) {
                pc.answered = true;
            }
        }
        prune();
    }

    /** Whether connection {@code connSeq} made a call still unanswered (never a boundary: the answer would be lost). */
    boolean unansweredOn(int connSeq) {
        for (Pending pc : calls.values()) {
            if (pc.connSeq == connSeq && !pc.answered) {
                return true;
            }
        }
        return false;
    }

    /** Forgets answered calls first, then the oldest, beyond {@link #MAX_TRACKED_CALLS}. */
    private void prune() {
        if (calls.size() <= MAX_TRACKED_CALLS) {
            return;
        }
        calls.values().removeIf(pc -> pc.answered && calls.size() > MAX_TRACKED_CALLS);
        for (Iterator<Map.Entry<String, Pending>> it = calls.entrySet().iterator();
                it.hasNext() && calls.size() > MAX_TRACKED_CALLS; ) {
            it.next();
            it.remove();
        }
    }
}
