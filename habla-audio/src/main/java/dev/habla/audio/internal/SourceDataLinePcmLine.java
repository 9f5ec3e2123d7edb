package dev.habla.audio.internal;

import javax.sound.sampled.SourceDataLine;

/** Adapts a started Java Sound {@link SourceDataLine} to the {@link PcmLine} a {@link PlaybackPump} drives. */
public record SourceDataLinePcmLine(SourceDataLine line) implements PcmLine {
    @Override
    public void write(byte[] pcm, int offset, int length) {
        int at = offset;
        int end = offset + length;
        while (at < end && line.isOpen()) {
            at += line.write(pcm, at, end - at);
        }
    }

    @Override
    public void flush() {
        line.flush();
    }

    @Override
    public void drain() {
        if (line.isOpen()) {
            line.drain();
        }
    }

    @Override
    public void close() {
        line.stop();
        line.close();
    }
}
