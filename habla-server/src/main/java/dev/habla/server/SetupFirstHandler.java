package dev.habla.server;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;

/**
 * A {@link LiveHandler} that enforces the service's first rule: {@code setup} comes first and only once; anything else
 * first, or a second setup, closes 1007 {@code Request contains an invalid argument.} Subclasses get the setup and then
 * the rest. Same threading as {@link LiveHandler}.
 */
public abstract class SetupFirstHandler implements LiveHandler {
    protected final LiveConnection connection;
    private boolean setUp;

    protected SetupFirstHandler(LiveConnection connection) {
        this.connection = connection;
    }

    @Override
    public final void onMessage(ClientMessage message) {
        if (message instanceof ClientMessage.Setup s && !setUp) {
            setUp = true;
            onSetup(s);
        } else if (!setUp || message instanceof ClientMessage.Setup) {
            connection.close(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT);
        } else {
            onInput(message);
        }
    }

    /** The first message; typically validated, then answered with {@code setupComplete}. */
    protected abstract void onSetup(ClientMessage.Setup setup);

    /** Every later message (never a {@code setup}). */
    protected abstract void onInput(ClientMessage message);
}
