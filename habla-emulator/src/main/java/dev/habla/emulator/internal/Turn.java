package dev.habla.emulator.internal;

import dev.habla.time.Scheduler;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ServerFrame;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model turn in progress: streaming a plan ({@link ReplyStreamer}), or waiting for tool responses ({@link Brain}).
 * Only touched with the connection's lock held.
 */
final class Turn {
    /** One planned server frame of a reply, sent {@code offsetNanos} after the turn started; null frame = text only. */
    record Planned(long offsetNanos, ServerFrame frame, String text, boolean last) {}

    List<Planned> plan = List.of();
    int next;
    Instant start;
    Scheduler.Cancellable timer;
    /** Text (or transcript) of what was sent so far: what goes into history. */
    final StringBuilder sent = new StringBuilder();
    /** Ids of the blocking calls this turn waits for. */
    final List<String> waitingFor = new ArrayList<>();
    final Map<String, FunctionResponse> responses = new LinkedHashMap<>();
    final List<FunctionCall> calls = new ArrayList<>();
    boolean prematureSent;
    int responseTokens;

    /** The responses received so far, in the order of the calls they answer. */
    List<FunctionResponse> responsesInCallOrder() {
        List<FunctionResponse> results = new ArrayList<>();
        for (FunctionCall fc : calls) {
            FunctionResponse fr = responses.get(fc.id());
            if (fr != null) {
                results.add(fr);
            }
        }
        return results;
    }
}
