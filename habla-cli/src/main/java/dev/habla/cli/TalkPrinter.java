package dev.habla.cli;

import dev.habla.assistant.AssistantEvent;
import dev.habla.assistant.Transcript;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Shows the conversation: a user line when their transcription is complete, an assistant line when its turn
 * ends (with what was not heard after a barge-in), notices; the answer in progress for the status line.
 * Called on the loop's threads; a lock keeps lines whole.
 */
final class TalkPrinter implements dev.habla.assistant.AssistantObserver {
    private final Consumer<String> out;
    private final Consumer<String> verbose;
    private final ReentrantLock lock = new ReentrantLock();
    /** A line to print after an answer's line (--knowledge: its sources), or null; set before the loop runs. */
    volatile java.util.function.Supplier<String> afterAnswer;
    /** Guarded by lock. */
    private final StringBuilder user = new StringBuilder();
    /** Guarded by lock. */
    private final StringBuilder assistant = new StringBuilder();

    /** How answers are labelled: the provider's name ({@code gemini: …}, {@code openai: …}). */
    private final String speaker;

    TalkPrinter(Consumer<String> out, Consumer<String> verbose) {
        this(out, verbose, "gemini");
    }

    TalkPrinter(Consumer<String> out, Consumer<String> verbose, String speaker) {
        this.out = out;
        this.verbose = verbose;
        this.speaker = speaker;
    }

    String speaker() {
        return speaker;
    }

    @Override
    public void onEvent(AssistantEvent event) {
        switch (event) {
            case AssistantEvent.UserText t when !t.typed() -> {
                lock.lock();
                try {
                    user.append(t.text());
                    if (t.finished()) {
                        flushUser();
                    }
                } finally {
                    lock.unlock();
                }
            }
            case AssistantEvent.AssistantText t -> {
                lock.lock();
                try {
                    assistant.append(t.text());
                } finally {
                    lock.unlock();
                }
            }
            case AssistantEvent.TurnEnded t -> {
                lock.lock();
                try {
                    flushUser();
                    assistant.setLength(0);
                    Transcript.Entry e = t.entry();
                    if (!e.generated().isBlank()) {
                        line(speaker + ": " + (e.interrupted()
                                ? e.heard().strip() + " [interrupted" + (e.unheard().isBlank() ? "" : "; not heard: "
                                        + e.unheard().strip()) + "]"
                                : e.generated().strip()) + (e.connectionLost() ? " [cut off: connection lost]" : ""));
                        java.util.function.Supplier<String> after = afterAnswer;
                        String extra = after == null ? null : after.get();
                        if (extra != null) {
                            line(extra);
                        }
                    }
                } finally {
                    lock.unlock();
                }
            }
            case AssistantEvent.BargeIn b -> {
                if (verbose != null) {
                    verbose.accept(String.format(Locale.ROOT, "habla: barge-in (%s): silent %.2f ms after it arrived",
                            b.trigger().name().toLowerCase(Locale.ROOT), b.latency().toNanos() / 1e6));
                }
            }
            case AssistantEvent.InputEnded i -> {
                if (i.error() != null) {
                    line("(microphone failed: " + i.error().getMessage() + ")");
                }
            }
            case AssistantEvent.Connection c -> {
                String status = status(c.event());
                if (status != null) {
                    line(status);
                } else if (verbose != null) {
                    verbose.accept("habla: " + c.event());
                }
            }
            case AssistantEvent.Closed c -> {
                Runnable r = onClosed;
                if (r != null && c.closed().error() != null) {
                    r.run();
                }
            }
            default -> { }
        }
    }

    /** Interactive mode: what to do when the session has failed for good (interrupt the prompt). */
    volatile Runnable onClosed;

    /**
     * The short status line for a connection event, or null for one only shown with {@code --verbose} (a
     * handover starting: the user notices nothing unless it completes).
     */
    static String status(dev.habla.client.LiveEvent.ConnectionEvent event) {
        return switch (event) {
            case LiveEvent.HandoverStarted h -> null;
            case LiveEvent.HandoverCompleted h -> String.format(Locale.ROOT, "(connection renewed; %d ms gap)",
                    h.gap().toMillis());
            case LiveEvent.Reconnecting r -> "(connection lost" + (r.cause() == null ? "" : ": " + brief(r.cause()))
                    + "; reconnecting" + (r.attempt() > 1 ? ", attempt " + r.attempt() : "") + "…)";
            case LiveEvent.Reconnected r -> String.format(Locale.ROOT, "(reconnected after %s; %s)",
                    DurationText.format(r.gap()), r.resumed() ? "the conversation goes on"
                            : "a new session, told what was said so far");
            case LiveEvent.Stalled st -> switch (st.kind()) {
                case MID_TURN -> "(the answer stalled: nothing for " + DurationText.format(st.duration()) + ")";
                case NO_REPLY -> "(no answer for " + DurationText.format(st.duration()) + ")";
            };
        };
    }

    private static String brief(LiveException e) {
        if (e.closeCode() > 0) {
            String reason = (e.closeCode() + " " + e.closeReason()).strip().replaceAll("[.\\s]+$", "");
            return reason.length() <= 60 ? reason : reason.substring(0, 59) + "…";
        }
        return e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** Guarded by lock. */
    private void flushUser() {
        if (!user.isEmpty()) {
            line("you: " + user.toString().strip());
            user.setLength(0);
        }
    }

    void line(String s) {
        lock.lock();
        try {
            out.accept(s);
        } finally {
            lock.unlock();
        }
    }

    void notice(String s) {
        line(s);
    }

    String partial() {
        lock.lock();
        try {
            return assistant.toString().strip();
        } finally {
            lock.unlock();
        }
    }
}
