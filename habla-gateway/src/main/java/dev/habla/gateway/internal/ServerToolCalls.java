package dev.habla.gateway.internal;

import dev.habla.client.ResilientSession;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.tools.ToolRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Conversation}'s server-side tool calls: a call for one of the gateway's tools ({@link Hub#tools}) is
 * answered in the gateway (its response sent upstream), any other goes to the client; a cancellation cancels the
 * gateway's own call, or goes to the client.
 *
 * <p>Threads: {@link #calls} and {@link #cancels} on the conversation's event thread; a tool's result on the tool's
 * completion thread; {@link #takeAll} as the conversation ends. {@code lock} is the conversation's one lock (see
 * {@link Conversation}): it guards {@code pending}; a tool is started, and a cancelled one cancelled, outside it.
 */
final class ServerToolCalls {
    private static final Logger log = LoggerFactory.getLogger(ServerToolCalls.class);
    private final Conversation conversation;
    private final ToolRegistry tools; // the hub's (null: none, every call is the client's)
    private final ReentrantLock lock; // the conversation's
    private final ClientAttachment client;
    private final Map<String, CompletableFuture<FunctionResponse>> pending = new HashMap<>(); // guarded by lock

    ServerToolCalls(Conversation conversation, ToolRegistry tools, ReentrantLock lock, ClientAttachment client) {
        this.conversation = conversation;
        this.tools = tools;
        this.lock = lock;
        this.client = client;
    }

    /** The upstream asks for {@code calls} (event thread): the gateway's tools run here, the rest go to the client. */
    void calls(List<FunctionCall> calls) {
        List<FunctionCall> forClient = new ArrayList<>();
        for (FunctionCall call : calls) {
            if (tools != null && tools.tool(call.name()).isPresent()) {
                CompletableFuture<FunctionResponse> f = tools.handle(call);
                lock.lock();
                try {
                    if (call.id() != null) {
                        pending.put(call.id(), f);
                    }
                } finally {
                    lock.unlock();
                }
                f.whenComplete((resp, err) -> done(call, resp, err));
            } else {
                forClient.add(call);
            }
        }
        if (!forClient.isEmpty()) {
            client.forward(ServerFrame.of(new ServerMessage.ToolCall(forClient)), 512);
        }
    }

    /** A tool finished (its completion thread): the response goes upstream unless cancelled or ended meanwhile. */
    private void done(FunctionCall call, FunctionResponse resp, Throwable err) {
        lock.lock();
        try {
            if (call.id() != null && pending.remove(call.id()) == null) {
                return; // cancelled or ended
            }
            ResilientSession upstream = conversation.liveUpstream();
            if (err != null || resp == null || upstream == null) {
                log.debug("Conversation {}: server tool {} not answered: {}", conversation.id(), call.name(),
                        err == null ? "ended" : err.toString());
                return;
            }
            upstream.sendToolResponse(List.of(resp));
        } finally {
            lock.unlock();
        }
    }

    /** The upstream cancels calls (event thread): the gateway's own are cancelled, the rest go to the client. */
    void cancels(List<String> ids) {
        List<String> forClient = new ArrayList<>();
        for (String callId : ids) {
            CompletableFuture<FunctionResponse> f;
            lock.lock();
            try {
                f = pending.remove(callId);
            } finally {
                lock.unlock();
            }
            if (f != null) {
                f.cancel(true);
            } else {
                forClient.add(callId);
            }
        }
        if (!forClient.isEmpty()) {
            client.forward(ServerFrame.of(new ServerMessage.ToolCallCancellation(forClient)), 256);
        }
    }

    /** With lock held, as the conversation ends: the calls still running, forgotten here (to cancel outside the lock). */
    List<CompletableFuture<FunctionResponse>> takeAll() {
        List<CompletableFuture<FunctionResponse>> calls = List.copyOf(pending.values());
        pending.clear();
        return calls;
    }
}
