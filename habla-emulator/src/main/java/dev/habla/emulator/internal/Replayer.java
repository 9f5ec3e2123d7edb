package dev.habla.emulator.internal;

import dev.habla.emulator.Fault;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.Cassette;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveHandler;
import dev.habla.time.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator in replay mode: a cassette plays the server (module README, "Record and replay").
 *
 * <p>The n-th connection the client opens is the cassette's connection n: its {@code setup} is checked against that
 * connection's recorded setup, and what the server sent after it (setupComplete, a handle) is played on it. Every other
 * client frame is one of the conversation, which a resilient client may send on whichever of its connections carries
 * it around a handover: it is checked against the next recorded one of any connection (in recorded order) and the
 * server frames recorded after it, on its recorded connection up to that connection's next client frame, are played on
 * the connection it arrived on. Closes, drops and goAways act on their recorded connection. A server entry of connection n also
 * waits until the client lines of newer connections recorded before it happened (the old connection's close follows
 * the new one's resumption). Media frames (audio, video) match loosely ({@link FrameMatcher}).
 *
 * <p>Threads: connections call in on their delivery threads (with their own lock held), the pacing timer on the clock's;
 * {@code lock} guards all replay state (entries done, connections, deferred output, pacing); it is taken after a
 * connection's lock, never before. Sends and closes on a {@link LiveConnection} are thread-safe.
 */
public final class Replayer {
    private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);

    private final LiveEmulator.Pace pace;
    private final Scheduler clock;
    private final List<Cassette.Entry> entries;
    private final List<String> mismatches = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    // ---- guarded by lock ----
    private final boolean[] done;
    /** Open replayed connections by number. */
    private final TreeMap<Integer, ReplayConnection> open = new TreeMap<>();
    /** Entries that waited for a newer connection's client line: (remaining indexes, target connection, anchor). */
    private final ArrayDeque<Play> deferred = new ArrayDeque<>();
    /** Recorded-pace output not yet due, in order. */
    private final ArrayDeque<Due> due = new ArrayDeque<>();
    private long lastDue = Long.MIN_VALUE;
    private boolean pumpScheduled;
    private int connections;
    /** Position in {@code conversation} before which every frame is done (they are consumed in order). */
    private int conversationAt;
    /** Client lines (opens, client frames) not done yet, to their connection. */
    private final TreeMap<Integer, Integer> pendingClient = new TreeMap<>();
    // ---- immutable indexes ----
    /** Index of connection n's Open entry and its setup frame (-1 if none). */
    private final Map<Integer, Integer> openIndex = new HashMap<>();
    private final Map<Integer, Integer> setupIndex = new HashMap<>();
    /** Conversation client frames (all client frames but setups), in recorded order. */
    private final List<Integer> conversation = new ArrayList<>();

    private record Play(List<Integer> indexes, int target, long anchorMillis) {}

    private record Due(long atNanos, Runnable action) {}

    public Replayer(Cassette.Recording recording, LiveEmulator.Pace pace, Scheduler clock) {
        this.pace = pace;
        this.clock = clock;
        this.entries = recording.entries();
        this.done = new boolean[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            Cassette.Entry e = entries.get(i);
            if (e instanceof Cassette.Open || e instanceof Cassette.Frame f0 && f0.from() == Cassette.Side.CLIENT) {
                pendingClient.put(e.line(), e.connection());
            }
            if (e instanceof Cassette.Open) {
                openIndex.putIfAbsent(e.connection(), i);
            } else if (e instanceof Cassette.Frame f && f.from() == Cassette.Side.CLIENT) {
                if (!setupIndex.containsKey(f.connection()) && FrameMatcher.decode(f.json()) instanceof ClientMessage.Setup) {
                    setupIndex.put(f.connection(), i);
                } else {
                    conversation.add(i);
                }
            }
        }
    }

    /**
     * Reads a cassette file.
     *
     * @throws IllegalArgumentException naming the file and line if it is not a cassette
     * @throws UncheckedIOException if it cannot be read
     */
    public static Cassette.Recording read(Path file) {
        try {
            return Cassette.parse(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cassette " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public List<String> mismatches() {
        return List.copyOf(mismatches);
    }

    // ---- connections (their lock held) ----

    /** The handler of a new authenticated connection: the next recorded connection. */
    LiveHandler open(LiveConnection wire) {
        lock.lock();
        try {
            int n = ++connections;
            ReplayConnection c = new ReplayConnection(this, wire, n);
            open.put(n, c);
            Integer o = openIndex.get(n);
            if (o == null) {
                mismatch(c, 0, "the cassette has no connection " + n);
                return c;
            }
            markDone(o);
            play(followers(o), n, entries.get(o).atMillis());
            return c;
        } finally {
            lock.unlock();
        }
    }

    void onMessage(ReplayConnection c, ClientMessage m) {
        lock.lock();
        try {
            if (m instanceof ClientMessage.Setup) {
                Integer s = setupIndex.get(c.number());
                if (s == null || done[s]) {
                    mismatch(c, s == null ? 0 : entries.get(s).line(), "the recording has no setup to match on connection "
                            + c.number());
                    return;
                }
                String diff = FrameMatcher.difference(FrameMatcher.decode(json(s)), m);
                if (diff != null) {
                    mismatch(c, entries.get(s).line(), diff);
                    return;
                }
                consume(s, c.number());
                return;
            }
            boolean media = FrameMatcher.isMedia(m);
            while (true) {
                int i = nextConversationFrame();
                if (i < 0) {
                    if (!media) {
                        mismatch(c, entries.isEmpty() ? 0 : entries.getLast().line(),
                                "the recording expects no more client frames, got " + FrameMatcher.kind(m));
                    }
                    return; // surplus media is tolerated
                }
                ClientMessage recorded = FrameMatcher.decode(json(i));
                if (recorded == null) {
                    mismatch(c, entries.get(i).line(), "the recorded client frame is not a Live client message");
                    return;
                }
                boolean recordedMedia = FrameMatcher.isMedia(recorded);
                if (recordedMedia && !media) {
                    consume(i, c.number()); // recorded media this client did not send: play what followed it
                    continue;
                }
                if (media && !recordedMedia) {
                    return; // more media than recorded: tolerated
                }
                String diff = FrameMatcher.difference(recorded, m);
                if (diff != null) {
                    mismatch(c, entries.get(i).line(), diff);
                    return;
                }
                consume(i, c.number());
                return;
            }
        } finally {
            lock.unlock();
        }
    }

    void closed(ReplayConnection c) {
        lock.lock();
        try {
            open.remove(c.number(), c);
        } finally {
            lock.unlock();
        }
    }

    /** Applies a fault to the newest open replayed connection. */
    public void inject(Fault fault) {
        ReplayConnection target;
        lock.lock();
        try {
            target = open.isEmpty() ? null : open.lastEntry().getValue();
        } finally {
            lock.unlock();
        }
        if (target == null) {
            throw new IllegalStateException("No open replayed connection to inject " + fault + " into");
        }
        target.applyFault(fault, clock);
    }

    // ---- replay machinery (lock held) ----

    private String json(int i) {
        return ((Cassette.Frame) entries.get(i)).json();
    }

    private int nextConversationFrame() {
        while (conversationAt < conversation.size() && done[conversation.get(conversationAt)]) {
            conversationAt++;
        }
        return conversationAt < conversation.size() ? conversation.get(conversationAt) : -1;
    }

    private void markDone(int i) {
        done[i] = true;
        pendingClient.remove(entries.get(i).line());
    }

    /** Client entry {@code i} happened on connection {@code target}: play what followed it, then what waited. */
    private void consume(int i, int target) {
        markDone(i);
        play(followers(i), target, entries.get(i).atMillis());
        for (int k = deferred.size(); k > 0; k--) {
            Play p = deferred.poll();
            play(p.indexes(), p.target(), p.anchorMillis());
        }
    }

    /** The server entries after {@code i} on its connection, up to that connection's next client frame. */
    private List<Integer> followers(int i) {
        int conn = entries.get(i).connection();
        List<Integer> out = new ArrayList<>();
        for (int j = i + 1; j < entries.size(); j++) {
            Cassette.Entry e = entries.get(j);
            if (e.connection() != conn) {
                continue;
            }
            if (e instanceof Cassette.Frame f && f.from() == Cassette.Side.CLIENT) {
                break;
            }
            out.add(j);
        }
        return out;
    }

    /** Plays {@code indexes} in order; frames go to {@code target}, ends to their recorded connection. */
    private void play(List<Integer> indexes, int target, long anchorMillis) {
        long now = clock.nanoTime();
        for (int k = 0; k < indexes.size(); k++) {
            int j = indexes.get(k);
            if (done[j]) {
                continue;
            }
            Cassette.Entry e = entries.get(j);
            if (waitsForNewerConnection(e)) {
                deferred.add(new Play(indexes.subList(k, indexes.size()), target, anchorMillis));
                break;
            }
            if (e instanceof Cassette.Close c && c.by() == Cassette.Side.CLIENT) {
                break; // the client closed here: what follows is the close handshake, not the replay's
            }
            done[j] = true;
            Runnable action = switch (e) {
                case Cassette.Frame f -> {
                    // A goAway is about its own connection (gone already if a fault made the client leave early);
                    // the conversation's frames go where the client now talks.
                    ReplayConnection to = f.json().startsWith("{\"goAway\"") ? open.get(f.connection())
                            : open.getOrDefault(target, open.get(f.connection()));
                    yield to == null ? null : () -> to.wire().sendRaw(f.json(), true);
                }
                case Cassette.Close c -> {
                    ReplayConnection to = open.get(c.connection());
                    yield to == null ? null : () -> to.wire().close(c.code(), c.reason());
                }
                case Cassette.Broken b -> {
                    ReplayConnection to = open.get(b.connection());
                    yield to == null ? null : () -> to.wire().abort();
                }
                case Cassette.Open o -> null;
            };
            if (action == null) {
                continue;
            }
            if (pace == LiveEmulator.Pace.FAST) {
                action.run();
            } else {
                long at = Math.max(lastDue, now + Math.max(0, e.atMillis() - anchorMillis) * 1_000_000L);
                lastDue = at;
                due.add(new Due(at, action));
            }
        }
        pump(); // also after a break: what was queued above must go out at its time
    }

    /** Whether a client line (open or frame) of a connection newer than {@code e}'s, recorded before it, is pending. */
    private boolean waitsForNewerConnection(Cassette.Entry e) {
        for (var p : pendingClient.headMap(e.line()).entrySet()) {
            if (p.getValue() > e.connection()) {
                return true;
            }
        }
        return false;
    }

    /** Runs the recorded-pace output that is due, in order, and schedules itself for the next. */
    private void pump() {
        long now = clock.nanoTime();
        while (!due.isEmpty() && due.peek().atNanos() <= now) {
            due.poll().action().run();
        }
        if (!due.isEmpty() && !pumpScheduled) {
            pumpScheduled = true;
            clock.schedule(Duration.ofNanos(due.peek().atNanos() - now), () -> {
                lock.lock();
                try {
                    pumpScheduled = false;
                    pump();
                } finally {
                    lock.unlock();
                }
            });
        }
    }

    /** {@code line} 0: the mismatch is not at a line (a connection the cassette does not have). */
    private void mismatch(ReplayConnection c, int line, String what) {
        String at = line > 0 ? "cassette line " + line + " (connection " + c.number() + ")" : "connection " + c.number();
        String full = "Replay mismatch at " + at + ": " + what;
        LOG.warn("{}", full);
        mismatches.add(full);
        c.wire().close(CloseCodes.INVALID_ARGUMENT, CloseCodes.truncate(line > 0 ? "replay line " + line + ": " + what
                : "replay: " + what));
    }
}
