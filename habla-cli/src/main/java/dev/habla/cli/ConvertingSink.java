package dev.habla.cli;

import dev.habla.assistant.internal.SpeakerConverter;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import java.time.Duration;

/**
 * Takes model audio (24 kHz mono) for a device that plays another format (a sound server at 48 kHz stereo, say):
 * converts each write and passes it on. Threads: {@link #write}, {@link #flush} and {@link #drain} come from the
 * chat's listener and main threads; the converter keeps filter history, so they are serialised on this object.
 */
final class ConvertingSink implements AudioSink {

    private final AudioFormat in;
    private final AudioSink device;
    /** Guarded by this. */
    private final SpeakerConverter converter;

    private ConvertingSink(AudioFormat in, AudioSink device) {
        this.in = in;
        this.device = device;
        this.converter = new SpeakerConverter(in.sampleRate(), device.format());
    }

    /** {@code device} itself when it plays {@code in} (mono PCM16); otherwise a converting sink in front of it. */
    static AudioSink to(AudioFormat in, AudioSink device) {
        if (in.channels() != 1) {
            throw new IllegalArgumentException("converts mono audio only, not " + in);
        }
        return device.format().equals(in) ? device : new ConvertingSink(in, device);
    }

    @Override
    public AudioFormat format() {
        return in;
    }

    @Override
    public synchronized void write(byte[] pcm) {
        byte[] out = converter.convert(pcm, pcm.length);
        if (out.length > 0) {
            device.write(out);
        }
    }

    @Override
    public synchronized void flush() {
        converter.reset();   // the next audio has nothing to do with what was cut off
        device.flush();
    }

    @Override
    public void drain() throws InterruptedException {
        writeTail();
        device.drain();
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        writeTail();
        return device.drain(timeout);
    }

    /** The samples the resampler still holds, so the end of an answer is played too. */
    private synchronized void writeTail() {
        byte[] tail = converter.drainTail();
        if (tail.length > 0) {
            device.write(tail);
        }
    }

    @Override
    public void close() {
        device.close();
    }

    @Override
    public String toString() {
        return "ConvertingSink[" + in + " -> " + device + "]";
    }
}
