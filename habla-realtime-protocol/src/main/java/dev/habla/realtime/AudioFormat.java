package dev.habla.realtime;

/**
 * {@code {"type":"audio/pcm","rate":24000}} (16-bit mono little-endian; the service takes 24 kHz only), {@code
 * audio/pcmu} or {@code audio/pcma} (G.711, 8 kHz, no rate field).
 */
public record AudioFormat(String type, Integer rate) {
    public static final AudioFormat PCM_24K = new AudioFormat("audio/pcm", 24000);
    public static final AudioFormat PCMU = new AudioFormat("audio/pcmu", null);
    public static final AudioFormat PCMA = new AudioFormat("audio/pcma", null);
}
