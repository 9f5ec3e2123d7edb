package dev.habla.assistant;

/**
 * Sees every {@link AssistantEvent} of a {@link VoiceLoop} without being part of the data path.
 *
 * <p>Threads: called from the loop's threads (the session reader, the mic pump, the speaker pump) and from threads
 * that call the loop (push-to-talk, typed text), so calls may overlap: implementations must be thread-safe and
 * quick (hand slow work to another thread). An exception is logged and otherwise ignored: an observer cannot break
 * the conversation.
 */
@FunctionalInterface
public interface AssistantObserver {

    void onEvent(AssistantEvent event);

    /** Ignores everything. */
    static AssistantObserver none() {
        return e -> { };
    }
}
