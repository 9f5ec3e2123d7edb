package dev.habla.client.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs a warning the first time a key is seen in this process (an unknown model or voice: worth saying once, not on
 * every connection of a resilient session). Thread-safe. Remembers at most {@link #MAX_KEYS} keys, so a caller feeding
 * it many distinct names cannot grow it without bound; past that, nothing more is logged.
 */
final class WarnOnce {
    static final int MAX_KEYS = 256;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Logger log;

    WarnOnce(Logger log) {
        this.log = log;
    }

    /** Logs {@code message} (SLF4J pattern with {@code args}) if {@code key} was not warned about before. */
    boolean warn(String key, String message, Object... args) {
        if (seen.size() >= MAX_KEYS || !seen.add(key)) {
            return false;
        }
        log.warn(message, args);
        return true;
    }

    /** For tests: whether {@code key} was warned about. */
    boolean warned(String key) {
        return seen.contains(key);
    }
}
