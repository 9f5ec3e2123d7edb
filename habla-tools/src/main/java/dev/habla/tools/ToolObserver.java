package dev.habla.tools;

/**
 * Receives {@link ToolActivity} from a {@link ToolRunner}. Calls come one at a time, in order, from the runner's event
 * thread ({@code habla-tools-events}, a virtual thread), never from the session's reader thread, so an observer may
 * print or block briefly without stalling the conversation. Exceptions are logged and ignored.
 */
@FunctionalInterface
public interface ToolObserver {
    void onActivity(ToolActivity activity);

    /** Ignores everything. */
    ToolObserver NONE = activity -> {};
}
