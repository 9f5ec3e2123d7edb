package dev.habla.assistant;

import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the audio the emulator received, message by message and across every connection in arrival order, against
 * what the microphone produced: each audio message must be an exact slice of the microphone's bytes, the slices must
 * move forward without overlapping (nothing sent twice), and a skip over microphone audio (nothing sent) is only
 * allowed after the uplink paused ({@code audioStreamEnd}, {@code activityEnd}) or before the first audio. Works
 * because the test signal never repeats (speech over unique low-level noise).
 *
 * @param audioMessages    audio messages received
 * @param audioBytes       their bytes
 * @param connections      connections (emulator session ids) that carried audio
 * @param mismatchedBytes  bytes found nowhere in the microphone's audio
 * @param duplicatedBytes  bytes of slices that start before the end of the previous one (sent again)
 * @param skippedBytes     microphone bytes not sent, in skips after a pause (allowed)
 * @param lostBytes        microphone bytes not sent while the uplink was streaming (lost)
 * @param coveredThrough   end of the last slice in the microphone's bytes
 */
record UplinkCheck(int audioMessages, long audioBytes, int connections, long mismatchedBytes, long duplicatedBytes,
                   long skippedBytes, long lostBytes, long coveredThrough) {

    static UplinkCheck of(byte[] mic, List<ReceivedMessage> wire) {
        int messages = 0;
        long bytes = 0;
        long mismatched = 0;
        long duplicated = 0;
        long skipped = 0;
        long lost = 0;
        int pos = 0;
        boolean paused = true;   // before the first audio anything may be skipped
        Set<String> connections = new LinkedHashSet<>();
        for (ReceivedMessage m : wire) {
            if (!(m.message() instanceof RealtimeInput r)) {
                continue;
            }
            if (r.audio() != null && r.audio().data() != null) {
                byte[] data = r.audio().data();
                messages++;
                bytes += data.length;
                connections.add(m.sessionId());
                if (pos + data.length <= mic.length && Arrays.equals(mic, pos, pos + data.length, data, 0, data.length)) {
                    pos += data.length;
                } else {
                    int at = indexOf(mic, data, pos);
                    if (at >= 0) {
                        if (paused) {
                            skipped += at - pos;
                        } else {
                            lost += at - pos;
                        }
                        pos = at + data.length;
                    } else if (indexOf(mic, data, 0) >= 0) {
                        duplicated += data.length;
                    } else {
                        mismatched += data.length;
                    }
                }
                paused = false;
            }
            if (Boolean.TRUE.equals(r.audioStreamEnd()) || r.activityEnd() != null) {
                paused = true;
            }
        }
        return new UplinkCheck(messages, bytes, connections.size(), mismatched, duplicated, skipped, lost, pos);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        if (needle.length == 0) {
            return from;
        }
        outer:
        for (int i = Math.max(0, from); i + needle.length <= hay.length; i += 2) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static boolean isAudio(ReceivedMessage m) {
        return m.message() instanceof ClientMessage.RealtimeInput r && r.audio() != null;
    }
}
