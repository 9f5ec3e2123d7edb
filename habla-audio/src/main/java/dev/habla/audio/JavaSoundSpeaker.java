package dev.habla.audio;

import dev.habla.audio.internal.SourceDataLinePcmLine;
import dev.habla.audio.internal.PlaybackPump;
import java.time.Duration;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.SourceDataLine;

/**
 * Plays PCM on the default Java Sound output device.
 *
 * <p>{@link #write} only queues: playback runs on its own {@code habla-playback} virtual thread that blocks in
 * {@link SourceDataLine#write}, fed by a queue bounded to {@link #DEFAULT_MAX_QUEUED} of audio (oldest audio dropped
 * beyond that, see {@link #droppedBytes()}). {@link #flush()} silences it at once (barge-in).
 *
 * <pre>{@code
 * try (JavaSoundSpeaker speaker = JavaSoundSpeaker.open(AudioFormat.PCM_24K_MONO)) {
 *     speaker.write(pcm);
 *     speaker.drain();
 * } catch (AudioDeviceException e) {
 *     // no sound card, no PulseAudio, ...: e.getMessage() is one line for the user
 * }
 * }</pre>
 */
public final class JavaSoundSpeaker implements AudioSink {

    /** Queue bound: two minutes is longer than any single answer, yet only 5.8 MB at 24 kHz. */
    public static final Duration DEFAULT_MAX_QUEUED = Duration.ofMinutes(2);

    /** Device buffer: small enough that flush() is prompt, large enough not to underrun on a busy 2-core box. */
    static final Duration LINE_BUFFER = Duration.ofMillis(200);

    private final PlaybackPump pump;
    private final String deviceName;

    private JavaSoundSpeaker(PlaybackPump pump, String deviceName) {
        this.pump = pump;
        this.deviceName = deviceName;
    }

    /** Opens the default output device for {@code format}, queueing at most {@link #DEFAULT_MAX_QUEUED}. */
    public static JavaSoundSpeaker open(AudioFormat format) throws AudioDeviceException {
        return open(format, DEFAULT_MAX_QUEUED);
    }

    /**
     * Opens the default output device for {@code format}.
     *
     * @throws AudioDeviceException with a one-line message when there is no device, none supports the format, or
     *                              the device is busy
     */
    public static JavaSoundSpeaker open(AudioFormat format, Duration maxQueued) throws AudioDeviceException {
        javax.sound.sampled.AudioFormat jsFormat = format.toJavaSound();
        SourceDataLine line;
        try {
            line = AudioSystem.getSourceDataLine(jsFormat);
        } catch (IllegalArgumentException e) {
            int mixers = AudioSystem.getMixerInfo().length;
            throw new AudioDeviceException(mixers == 0
                    ? "No audio output device: Java Sound sees 0 mixers (no sound card or sound server)"
                    : "No audio output device plays " + format + " (Java Sound sees " + mixers + " mixers)", e);
        } catch (LineUnavailableException e) {
            throw new AudioDeviceException("Audio output device unavailable: " + AudioDevices.oneLine(e.getMessage()), e);
        } catch (SecurityException e) {
            throw new AudioDeviceException("Audio output not permitted: " + AudioDevices.oneLine(e.getMessage()), e);
        }
        try {
            line.open(jsFormat, (int) Math.max(format.bytesPerFrame(), format.bytesFor(LINE_BUFFER)));
            line.start();
        } catch (LineUnavailableException | IllegalArgumentException | IllegalStateException e) {
            line.close();
            throw new AudioDeviceException("Audio output device unavailable: " + AudioDevices.oneLine(e.getMessage()), e);
        }
        String name = line.getLineInfo().toString();
        PlaybackPump pump = PlaybackPump.start(format, new SourceDataLinePcmLine(line),
                Math.max(format.bytesPerFrame(), format.bytesFor(maxQueued)), "habla-playback");
        return new JavaSoundSpeaker(pump, name);
    }

    @Override
    public AudioFormat format() {
        return pump.format();
    }

    @Override
    public void write(byte[] pcm) {
        pump.write(pcm);
    }

    @Override
    public void flush() {
        pump.flush();
    }

    @Override
    public void drain() throws InterruptedException {
        pump.drain();
    }

    @Override
    public boolean drain(Duration timeout) throws InterruptedException {
        return pump.drain(timeout);
    }

    /** Bytes waiting to be played. */
    public long queuedBytes() {
        return pump.queuedBytes();
    }

    /** Bytes dropped because the queue overflowed, or arrived after close or a device failure. */
    public long droppedBytes() {
        return pump.droppedBytes();
    }

    /** The Java Sound line description, for logs. */
    public String deviceName() {
        return deviceName;
    }

    @Override
    public void close() {
        pump.close();
    }
}
