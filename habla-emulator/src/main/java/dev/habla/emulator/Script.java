package dev.habla.emulator;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A scripted connection, in the style of okhttp's MockWebServer: {@link LiveEmulator#enqueue(Script)} queues it, and
 * the next authenticated connection runs its steps in order instead of the default brain.
 *
 * <pre>{@code
 * emu.enqueue(Script.create(s -> s
 *     .expect(ClientMessage.Setup.class)
 *     .send(new ServerMessage.SetupComplete(null))
 *     .expect(ClientMessage.ClientContent.class)
 *     .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "Hi")))
 *     .fault(new Fault.DropConnection())));
 * }</pre>
 *
 * <p>An {@code expect} step waits for the next client message; if that message does not match, the script fails and
 * the connection is closed 1011 with a reason saying what was expected. Client messages that arrive while no
 * {@code expect} is waiting are queued for the next one. When the steps run out the connection stays open and further
 * client messages are only recorded, unless the script ended with {@link Builder#thenDefaultBrain()}, which hands the
 * connection (and the setup the script consumed, if any) to the default brain. Strict decoding still applies: an
 * undecodable frame closes 1007 as usual. Immutable.
 */
public final class Script {

    /** One step of a script. */
    public sealed interface Step {}

    /** Waits for the next client message and fails the script unless it matches. */
    public record Expect(String description, Predicate<ClientMessage> matcher) implements Step {
        public Expect {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(matcher, "matcher");
        }
    }

    /** Sends one server frame (binary, like the service). */
    public record Send(ServerFrame frame) implements Step {
        public Send {
            Objects.requireNonNull(frame, "frame");
        }
    }

    /** Sends exact text, in a binary or text frame; it need not be valid JSON. */
    public record SendRaw(String text, boolean binary) implements Step {
        public SendRaw {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Waits on the emulator clock. */
    public record Pause(Duration duration) implements Step {
        public Pause {
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** Applies a fault to this connection. */
    public record ApplyFault(Fault fault) implements Step {
        public ApplyFault {
            Objects.requireNonNull(fault, "fault");
        }
    }

    /** Hands the connection to the default brain; always the last step. */
    public record DefaultBrain() implements Step {}

    private final List<Step> steps;

    private Script(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** A script of the steps {@code steps} adds, in order (like {@code SessionConfig.create}). */
    public static Script create(Consumer<Builder> steps) {
        Builder b = new Builder();
        steps.accept(b);
        return b.build();
    }

    /** The steps, in order. */
    public List<Step> steps() {
        return steps;
    }

    @Override
    public String toString() {
        return "Script" + steps;
    }

    /** Adds the steps of a {@link Script} inside {@link Script#create(Consumer)}. Not thread-safe. */
    public static final class Builder {
        private final List<Step> steps = new ArrayList<>();
        private boolean ended;

        private Builder() {}

        private Builder add(Step s) {
            if (ended) {
                throw new IllegalStateException("thenDefaultBrain() must be the last step");
            }
            steps.add(s);
            return this;
        }

        /** Expects a message of this type, e.g. {@code ClientMessage.Setup.class}. */
        public Builder expect(Class<? extends ClientMessage> type) {
            return add(new Expect(type.getSimpleName(), type::isInstance));
        }

        /** Expects a message the predicate accepts. */
        public Builder expect(Predicate<ClientMessage> matcher) {
            return add(new Expect("a matching message", matcher));
        }

        /** Expects a message the predicate accepts; {@code description} appears in the failure reason. */
        public Builder expect(String description, Predicate<ClientMessage> matcher) {
            return add(new Expect(description, matcher));
        }

        public Builder send(ServerFrame frame) {
            return add(new Send(frame));
        }

        public Builder send(ServerMessage message) {
            return add(new Send(ServerFrame.of(message)));
        }

        public Builder sendRaw(String text, boolean binary) {
            return add(new SendRaw(text, binary));
        }

        public Builder pause(Duration duration) {
            return add(new Pause(duration));
        }

        public Builder fault(Fault fault) {
            return add(new ApplyFault(fault));
        }

        /** Shorthand for {@code fault(new Fault.Close(code, reason))}. */
        public Builder close(int code, String reason) {
            return fault(new Fault.Close(code, reason));
        }

        /** Hands over to the default brain after the previous steps. */
        public Builder thenDefaultBrain() {
            add(new DefaultBrain());
            ended = true;
            return this;
        }

        private Script build() {
            return new Script(steps);
        }
    }
}
