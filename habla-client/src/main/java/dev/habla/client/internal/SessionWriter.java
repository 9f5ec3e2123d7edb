package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.SendResult;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound side of one {@link RealLiveSession}: its {@link OutboundQueue}, the encoding of what goes into it, the
 * writer thread that drains it, and what was left unsent at the end.
 *
 * <p>Threads: the <b>writer</b> {@code habla-<id>-writer} (virtual), started once the socket is open, is the only
 * caller of {@link Transport.Connection#sendText}: it drains the queue one message at a time (the JDK allows one
 * outstanding send). A caller's one-frame message with nothing queued ahead and no write in progress goes to the
 * socket on the caller's thread when the transport can without waiting ({@link Transport.Connection#trySendNow}, under
 * the queue's lock: {@link OutboundQueue#sendNowOrOffer}), which spares a wake-up of the writer per message. Callers
 * ({@link #send}, {@link #playback}) and the dispatcher ({@link #queuePending}) encode and queue under
 * {@link #encodeLock}; {@link #end} runs on whichever thread terminates the session.
 */
final class SessionWriter {
    private final RealLiveSession s;
    private final ClientConfig client;
    /** The connection's codec; see {@link ProviderConnection} for which thread calls what. */
    private final ProviderConnection codec;
    /**
     * Held while a caller's command is encoded and queued, so a stateful codec sees commands in the order their frames
     * are queued, and the frames of one command stay one unit. Never held while blocking on I/O.
     */
    private final ReentrantLock encodeLock = new ReentrantLock();
    private final OutboundQueue outbound;
    private volatile Thread writer;
    /**
     * The open connection, for sends made at once on the caller's thread ({@link Transport.Connection#trySendNow}) when
     * nothing is queued; null before open and while the wire is logged (the writer logs what it writes).
     */
    private volatile Transport.Connection direct;

    /** Set before start(): keep the frames left in the queue at termination for {@link #unsentFrames()}. */
    private volatile boolean retainUnsent;
    /** Messages queued but never written when the session terminated, with their sources (only with retainUnsent). */
    private volatile List<OutboundQueue.Message> unsent = List.of();

    SessionWriter(RealLiveSession s, ClientConfig client, ProviderConnection codec) {
        this.s = s;
        this.client = client;
        this.codec = codec;
        this.outbound = new OutboundQueue(client.sendQueueBudgetBytes());
    }

    /** Keeps the frames still queued at termination (see {@link #unsentFrames()}); call before the session starts. */
    void retainUnsentFrames() {
        retainUnsent = true;
    }

    /** See {@link RealLiveSession#unsentFrames()}. */
    List<OutboundQueue.Message> unsentFrames() {
        return unsent;
    }

    /** Frames that go before anything queued (the opening, the initial history), all at once and unbounded. */
    void queueFirst(List<String> frames) {
        outbound.offerFirstUnbounded(frames);
    }

    /** Transport callback thread (onOpen): the socket is open; the writer starts draining the queue. */
    void start(Transport.Connection c) {
        writer = Thread.ofVirtual().name("habla-" + s.id() + "-writer").start(() -> writeLoop(c));
        if (client.wireLog() == null) {
            direct = c;
        }
    }

    /** Writer thread: the only caller of sendText (senders may hand a message to trySendNow when it is idle). */
    private void writeLoop(Transport.Connection c) {
        try {
            while (true) {
                OutboundQueue.Item item = outbound.take();
                switch (item) {
                    case null -> {
                        return;
                    }
                    case OutboundQueue.Message m -> {
                        if (client.wireLog() != null) { // no copy of the frame when nobody logs (the usual case)
                            s.wire("> " + m.text());
                        }
                        c.sendText(m.text());
                        outbound.written();
                    }
                    case OutboundQueue.CloseMarker x -> {
                        s.wire("CLOSE > 1000");
                        c.sendClose(CloseCodes.NORMAL, "");
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // terminate() interrupted us: the session is over.
        } catch (Exception e) {
            if (!s.isTerminated()) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                s.lostConnection("send failed: " + RealLiveSession.describe(cause), cause);
            }
        }
    }

    /**
     * Any thread: encodes a caller's command and queues its frames in the message's lane, or sends it at once on this
     * thread when nothing is ahead of it and the transport can without waiting (no hand-off to the writer thread).
     */
    SendResult send(ClientMessage message) {
        encodeLock.lock();
        try {
            Transport.Connection c = direct;
            List<String> frames = codec.encode(message);
            return c == null ? outbound.offer(frames, RealLiveSession.laneOf(message), message)
                    : outbound.sendNowOrOffer(frames, RealLiveSession.laneOf(message), message, c::trySendNow);
        } finally {
            encodeLock.unlock();
        }
    }

    /** Dispatcher: queues what the codec asked to send after a decode (control lane, under the encode lock). */
    void queuePending() {
        List<String> frames = codec.pendingFrames();
        if (frames.isEmpty()) {
            return;
        }
        encodeLock.lock();
        try {
            outbound.offer(frames, OutboundQueue.Lane.CONTROL);
        } finally {
            encodeLock.unlock();
        }
    }

    /** Any thread: the playback position to the codec; frames it asks for go in the control lane. */
    void playback(Duration played) {
        encodeLock.lock();
        try {
            List<String> frames = codec.playback(played);
            if (!frames.isEmpty()) {
                outbound.offer(frames, OutboundQueue.Lane.CONTROL);
            }
        } finally {
            encodeLock.unlock();
        }
    }

    /** The client asked to close: the writer sends the close frame once the queue is drained. */
    void closeAfterDrain() {
        outbound.closeAfterDrain();
    }

    /** The session terminated (any thread): nothing more is queued; what was left is kept if asked to. */
    void shutdown() {
        if (retainUnsent) {
            unsent = outbound.shutdownAndDrain();
        } else {
            outbound.shutdown();
        }
    }

    /** The session terminated: a writer blocked in a send gives up (unless it is the terminating thread). */
    void interrupt() {
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.interrupt();
        }
    }

    long queuedBytes() {
        return outbound.queuedBytes();
    }

    long droppedMessages() {
        return outbound.droppedMessages();
    }

    long droppedBytes() {
        return outbound.droppedBytes();
    }
}
