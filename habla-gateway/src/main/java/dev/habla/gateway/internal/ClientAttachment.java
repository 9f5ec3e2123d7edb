package dev.habla.gateway.internal;

import dev.habla.client.GeminiFrames;
import dev.habla.client.LiveEvent;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.time.Scheduler;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one {@link Conversation}: the client connection attached now (or none, while a dropped client
 * may come back within the grace period with the gateway's own resumption handle), the frames held for a client that
 * may resume (bounded by {@link Hub#heldBytes}: over it, the conversation ends), and the grace timer.
 *
 * <p>Threads: {@link #attach}, {@link #detach} on the client connection's callbacks (its lock held); frames to the
 * client from the conversation's event thread (an audio chunk possibly from the upstream connection's reader), its
 * tool completions and the drain notice; the grace timer on the hub's clock ({@link Scheduler}). {@code lock} is the
 * conversation's one lock (see {@link Conversation}): it guards every mutable field below; methods said to run "with
 * lock held" expect it, the others take it. Sends to the client ({@code LiveConnection.send}, which never blocks or
 * locks) happen under it, so frames reach the client in event order and a re-attaching client gets held frames before
 * newer ones.
 */
final class ClientAttachment {
    private static final Logger log = LoggerFactory.getLogger(ClientAttachment.class);
    private final Conversation conversation;
    private final Hub hub;
    private final ReentrantLock lock; // the conversation's
    private final boolean announce;
    private final String handle;
    // Guarded by lock.
    private ClientSession client;
    private final ArrayDeque<ServerFrame> held = new ArrayDeque<>();
    private long heldBytes;
    private Scheduler.Cancellable graceTimer;

    /**
     * @param announce whether the client asked for resumption (it is told the gateway's {@code handle})
     * @param client   the client that opened the conversation
     */
    ClientAttachment(Conversation conversation, Hub hub, ReentrantLock lock, boolean announce, String handle,
            ClientSession client) {
        this.conversation = conversation;
        this.hub = hub;
        this.lock = lock;
        this.announce = announce;
        this.handle = handle;
        this.client = client;
    }

    /** Whether a client is attached now. */
    boolean attached() {
        lock.lock();
        try {
            return client != null;
        } finally {
            lock.unlock();
        }
    }

    /** With lock held: whether {@code c} is the client attached now. */
    boolean is(ClientSession c) {
        return client == c;
    }

    /** A client resumes with this conversation's handle (client callback thread of the new connection). */
    void attach(ClientSession c) {
        ClientSession old;
        lock.lock();
        try {
            if (conversation.isEnded()) {
                c.close(CloseCodes.INVALID_ARGUMENT, "Session resumption handle is not valid or has expired.");
                return;
            }
            old = client;
            client = c;
            if (graceTimer != null) {
                graceTimer.cancel();
                graceTimer = null;
            }
            c.send(ServerFrame.of(new ServerMessage.SetupComplete(null)));
            while (!held.isEmpty()) {
                c.send(held.poll());
            }
            heldBytes = 0;
            c.send(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(handle, true, null)));
        } finally {
            lock.unlock();
        }
        if (old != null && old != c) {
            // A phone that switched networks may come back before its old socket is known dead.
            old.close(CloseCodes.GOING_AWAY, "Session resumed on another connection.");
        }
    }

    /** The client's socket closed (its callback thread). */
    void detach(ClientSession c, int code) {
        lock.lock();
        try {
            if (client != c || conversation.isEnded()) {
                return;
            }
            client = null;
            if (!announce || code == CloseCodes.NORMAL) {
                // A client that did not ask for resumption, or closed deliberately, is done.
                log.info("Conversation {}: client closed ({}), ending", conversation.id(), code);
            } else {
                log.info("Conversation {}: client dropped ({}); waiting {} for it to resume", conversation.id(), code,
                        hub.resumeGrace());
                graceTimer = hub.clock().schedule(hub.resumeGrace(), () -> conversation.end(CloseCodes.NORMAL, ""));
                return;
            }
        } finally {
            lock.unlock();
        }
        conversation.end(CloseCodes.NORMAL, "");
    }

    /**
     * With lock held, as the conversation ends: the client (to close outside the lock; null if none) is detached for
     * good, held frames are dropped and the grace timer is cancelled.
     */
    ClientSession takeForEnd() {
        ClientSession c = client;
        client = null;
        held.clear();
        if (graceTimer != null) {
            graceTimer.cancel();
        }
        return c;
    }

    /** With lock held: closes the attached client, if any. */
    void close(int code, String reason) {
        if (client != null) {
            client.close(code, reason);
        }
    }

    /**
     * With lock held: tells an attached client that asked for resumption to go ({@code goAway} with {@code timeLeft});
     * returns whether no client is attached.
     */
    boolean goAway(java.time.Duration timeLeft) {
        boolean detached = client == null;
        if (!detached && announce) {
            client.send(ServerFrame.of(new ServerMessage.GoAway(timeLeft)));
        }
        return detached;
    }

    /** With lock held: the gateway's own handle, if the client asked for resumption. */
    void announce() {
        if (announce) {
            toClient(ServerFrame.of(new ServerMessage.SessionResumptionUpdate(handle, true, null)), 128);
        }
    }

    /**
     * Model audio to the client: the upstream's own frame when it was nothing but this chunk (the fast path: no
     * re-encoding), else the chunk encoded. A detached client's frames are held as encoded frames.
     */
    void forwardAudio(LiveEvent.AudioChunk a) {
        lock.lock();
        try {
            if (a.wire() != null && client != null && !conversation.isEnded()) {
                client.sendEncoded(a.wire());
            } else {
                toClient(GeminiFrames.encode(a), a.pcm().length * 4L / 3 + 128);
            }
        } finally {
            lock.unlock();
        }
    }

    void forward(ServerFrame frame, long size) {
        lock.lock();
        try {
            toClient(frame, size);
        } finally {
            lock.unlock();
        }
    }

    /** With lock held: to the attached client, or held for one that may resume (bounded). */
    void toClient(ServerFrame frame, long size) {
        if (conversation.isEnded()) {
            return;
        }
        if (client != null) {
            client.send(frame);
            return;
        }
        heldBytes += size;
        held.add(frame);
        if (heldBytes > hub.heldBytes()) {
            log.info("Conversation {}: {} bytes held for a detached client; ending", conversation.id(), heldBytes);
            Thread.ofVirtual().name("habla-gw-end-" + conversation.id())
                    .start(() -> conversation.end(CloseCodes.NORMAL, "")); // not under lock
        }
    }
}
