package dev.habla.assistant;

/**
 * Who decides when the user's turn starts and ends, and what the local voice-activity detector (Silero) does.
 *
 * <table>
 *   <caption>Modes</caption>
 *   <tr><th>Mode</th><th>Turn detection</th><th>Local VAD</th><th>Uplink</th></tr>
 *   <tr><td>{@link #OFF}</td><td>server VAD</td><td>only pauses the stream ({@code audioStreamEnd}) after silence and
 *       gates echo out of the uplink</td><td>continuous</td></tr>
 *   <tr><td>{@link #ASSIST}</td><td>server VAD</td><td>as OFF, and a local speech start flushes playback at once,
 *       before the server's {@code interrupted} arrives (gated by the echo policy)</td><td>continuous</td></tr>
 *   <tr><td>{@link #MANUAL}</td><td>local VAD: {@code activityStart}/{@code activityEnd}; automatic detection disabled
 *       in the setup</td><td>drives the turns; the pre-roll is sent right after {@code activityStart} so the first
 *       syllable is not cut</td><td>only during activity</td></tr>
 *   <tr><td>{@link #PUSH_TO_TALK}</td><td>the user's key ({@link VoiceLoop#pushToTalk(boolean)}); automatic
 *       detection disabled</td><td>display only</td><td>only while pressed</td></tr>
 * </table>
 */
public enum VadMode {
    /** Server VAD only. */
    OFF,
    /** Server VAD, plus an immediate local flush of playback on local speech start. */
    ASSIST,
    /** Local VAD sends activity signals; the server's automatic detection is disabled. */
    MANUAL,
    /** A key toggles activity; the server's automatic detection is disabled. */
    PUSH_TO_TALK;

    /** True when the server's automatic activity detection segments turns. */
    public boolean serverDetects() {
        return this == OFF || this == ASSIST;
    }
}
