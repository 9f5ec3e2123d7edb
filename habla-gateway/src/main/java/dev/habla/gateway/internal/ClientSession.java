package dev.habla.gateway.internal;

import dev.habla.gateway.GatewayApp;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.ServerFrame;
import dev.habla.server.LiveConnection;
import dev.habla.server.SetupFirstHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client WebSocket of the gateway. On {@code setup}: a gateway resumption handle re-attaches the client to its
 * {@link Conversation} (no token use taken); otherwise the token's use is taken, its locks applied, the model and the
 * app's limits checked, and a new conversation opened upstream. Later messages go to the conversation. Callbacks run
 * with the connection's lock held (habla-server); the conversation's lock is taken inside it, never the other way.
 */
public final class ClientSession extends SetupFirstHandler {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private final Hub hub;
    private final GatewayApp app;
    private final Token token; // null on the admin-key path
    private Conversation conversation; // set in onSetup; connection lock

    public ClientSession(LiveConnection connection, Hub hub, GatewayApp app, Token token) {
        super(connection);
        this.hub = hub;
        this.app = app;
        this.token = token;
    }

    /** The thread that reads and writes this client's socket (its upstream joins it where the transport can). */
    java.util.concurrent.Executor ioExecutor() {
        return connection.ioExecutor();
    }

    /** Close reason for connects to a node that is draining (its clients are moving to other nodes). */
    public static final String REASON_DRAINING = "This gateway node is shutting down; connect again.";

    @Override
    protected void onSetup(ClientMessage.Setup setup) {
        try {
            setUp(setup);
        } catch (Cluster.Unavailable e) {
            refuse(Cluster.CODE_TRY_AGAIN, Cluster.REASON_UNAVAILABLE, "store");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refuse(CloseCodes.GOING_AWAY, "Gateway shutting down.", "shutdown");
        }
    }

    private void setUp(ClientMessage.Setup setup) throws InterruptedException {
        if (hub.draining().get()) {
            refuse(Cluster.CODE_TRY_AGAIN, REASON_DRAINING, "draining");
            return;
        }
        if (token != null) {
            String bad = hub.tokens().unusable(token);
            if (bad != null) {
                refuse(CloseCodes.POLICY, bad, "token");
                return;
            }
        }
        String handle = setup.sessionResumption() == null ? null : setup.sessionResumption().handle();
        if (handle != null && !handle.isEmpty()) {
            Conversation c = hub.byHandle().get(handle);
            if (c == null && hub.cluster().shared()) {
                c = takeOver(handle);
                if (c != null) {
                    return;
                }
            }
            if (c == null || !c.app().equals(app.id())) {
                refuse(CloseCodes.INVALID_ARGUMENT, "Session resumption handle is not valid or has expired.", "handle");
                return;
            }
            conversation = c;
            c.attach(this);
            log.info("Connection {}: app {} resumed conversation {}", connection.id(), app.id(), c.id());
            return;
        }
        if (token != null) {
            String r = hub.tokens().takeUse(token);
            if (r != null) {
                refuse(CloseCodes.POLICY, r, "token");
                return;
            }
        }
        ClientMessage.Setup effective;
        try {
            effective = token == null ? setup : SetupLocks.apply(setup, token.constraints(), token.fieldMask());
        } catch (RuntimeException e) {
            log.info("Connection {}: token constraints do not combine with the client's setup: {}", connection.id(), e.getMessage());
            refuse(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT, "setup");
            return;
        }
        if (effective.model() == null || effective.model().isBlank()) {
            refuse(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT, "setup");
            return;
        }
        if (!app.allows(effective.model())) {
            String m = effective.model().startsWith("models/") ? effective.model() : "models/" + effective.model();
            refuse(CloseCodes.POLICY, m + " is not allowed for this app.", "model");
            return;
        }
        long id = hub.ids().incrementAndGet();
        Accounting.Refusal limit = hub.accounting().open(app.id(), id);
        if (limit != null) {
            refuse(limit.code(), limit.reason(), limit.metric());
            return;
        }
        conversation = new Conversation(hub, id, app.id(), token, effective, setup.sessionResumption() != null, this);
        log.info("Connection {}: app {} {} started conversation {} on {}", connection.id(), app.id(),
                token == null ? "(admin key)" : "token " + token.logId(), id, effective.model());
        conversation.start();
    }

    /**
     * The conversation behind {@code handle} lives on another node (or did, until it died): claim it (that node hands
     * it off at a turn boundary, or its heartbeat runs out) and continue it here with its upstream handle. Returns the
     * started conversation, or null (unknown handle, another app's: the caller refuses).
     */
    private Conversation takeOver(String handle) throws InterruptedException {
        Cluster.Record r = hub.cluster().claim(handle, app.id());
        if (r == null || !r.app().equals(app.id())) {
            return null;
        }
        ClientMessage.Setup stored = (ClientMessage.Setup) dev.habla.protocol.LiveCodec.decodeClient(r.setupJson(),
                dev.habla.protocol.Strictness.STRICT).message();
        long id = hub.ids().incrementAndGet();
        Accounting.Refusal limit = hub.accounting().open(app.id(), id);
        if (limit != null) {
            refuse(limit.code(), limit.reason(), limit.metric());
            hub.cluster().save(r.released(r.seq() + 1)); // still resumable elsewhere
            return null;
        }
        Token t = r.tokenHash() == null ? null : hub.tokens().byHash(r.tokenHash());
        conversation = new Conversation(hub, id, app.id(), t, stored, r.announce(), this, r);
        log.info("Connection {}: app {} took over conversation {} as {}", connection.id(), app.id(), Secrets.logId(Secrets.hash(handle)), id);
        conversation.start();
        return conversation;
    }

    /**
     * Plain audio input arrives with its text ({@link ClientMessage.Raw}): the upstream writes that text as is instead
     * of re-encoding it (the gateway's fast path; the conversation and the resilient session read its decoded message).
     */
    @Override
    public boolean acceptsRawAudio() {
        return true;
    }

    /**
     * That audio is taken on the socket's I/O thread when nothing else waits: its path (token check, accounting, the
     * conversation's and the resilient session's locks, a send that does not wait for the upstream's socket) never
     * blocks, and the upstream's connection shares that thread (see {@link #ioExecutor()}).
     */
    @Override
    public boolean rawAudioOnIoThread() {
        return true;
    }

    @Override
    protected void onInput(ClientMessage message) {
        if (conversation == null) {
            return; // setup was refused; the close is on its way
        }
        if (token != null) {
            String bad = hub.tokens().unusable(token);
            if (bad != null) {
                refuse(CloseCodes.POLICY, bad, "token");
                // Not on this thread, which may be the socket's event loop (audio): end() may wait for the upstream's
                // close (a cluster hand-off), and that upstream may share the loop.
                Conversation c = conversation;
                Thread.ofVirtual().name("habla-gw-end-" + c.id()).start(() -> c.end(CloseCodes.POLICY, bad));
                return;
            }
        }
        conversation.fromClient(this, message);
    }

    @Override
    public void onClose(int statusCode, String reason) {
        Conversation c = conversation;
        if (c != null) {
            c.detach(this, statusCode);
        }
    }

    private void refuse(int code, String reason, String metric) {
        log.info("Connection {}: refused ({}): {} {}", connection.id(), metric, code, reason);
        hub.accounting().refused(metric);
        connection.close(code, reason);
    }

    // ---- called by the conversation ----

    boolean send(ServerFrame frame) {
        return connection.send(frame);
    }

    /** A server frame already encoded (the upstream's own, forwarded as is). */
    boolean sendEncoded(byte[] utf8Json) {
        return connection.sendEncoded(utf8Json);
    }

    void close(int code, String reason) {
        connection.close(code, reason);
    }

    String id() {
        return connection.id();
    }
}
