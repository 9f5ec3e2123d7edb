package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.conformance.ProtoOracle.Verdict;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The client frames an official SDK actually sent, as the emulator recorded them: each must be accepted by the
 * strict v1beta proto (allow-list stripped) and by Habla's strict decoder (the emulator closes 1007 otherwise, and
 * records a null message).
 */
final class SdkFrames {
    private SdkFrames() {}

    /** How many SDK frames passed both oracles in this JVM (reported by the SDK test classes). */
    static final java.util.concurrent.atomic.AtomicInteger CHECKED = new java.util.concurrent.atomic.AtomicInteger();

    /** Drains what the emulator recorded so far (waiting up to {@code settle} for stragglers). */
    static List<ReceivedMessage> drain(LiveEmulator emu, Duration settle) throws InterruptedException {
        List<ReceivedMessage> out = new ArrayList<>();
        ReceivedMessage m;
        while ((m = emu.takeClientMessage(out.isEmpty() ? settle : Duration.ofMillis(50))) != null) {
            out.add(m);
        }
        return out;
    }

    /** Asserts every frame passes both oracles; returns the allow-listed paths the SDK used. */
    static Set<String> check(List<ReceivedMessage> frames) {
        List<String> failures = new ArrayList<>();
        Set<String> stripped = new TreeSet<>();
        for (ReceivedMessage r : frames) {
            if (r.message() == null) {
                failures.add("Habla strict (in the emulator) rejected: " + r.rawJson());
            }
            if (r.binaryFrame()) {
                failures.add("the SDK sent a binary frame (SDKs send text): " + r.rawJson());
            }
            Verdict v = ProtoOracle.client(r.rawJson());
            stripped.addAll(v.stripped());
            if (!v.accepted()) {
                failures.add("proto rejected " + abbreviate(r.rawJson()) + " -> " + v.error());
            }
        }
        assertThat(failures).isEmpty();
        CHECKED.addAndGet(frames.size());
        return stripped;
    }

    static String abbreviate(String json) {
        return json.replaceAll("\"data\":\"([^\"]{20})[^\"]*\"", "\"data\":\"$1…\"");
    }
}
