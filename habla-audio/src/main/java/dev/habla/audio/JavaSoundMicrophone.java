package dev.habla.audio;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.TargetDataLine;

/**
 * Captures PCM from a Java Sound input device (the default one, or one chosen by name; see {@link AudioDevices}).
 *
 * <p>The line is opened at the requested format if the device supports it (16 kHz mono for the Live API), otherwise
 * at the first format it does support among the common ones (48 kHz, 44.1 kHz, mono or stereo...): {@link #format()}
 * says which. Converting to 16 kHz mono is the caller's job (the voice loop does it with a band-limited resampler);
 * this class never drops or repeats samples.
 *
 * <p>{@link #read()} blocks in {@link TargetDataLine#read} until one chunk ({@link #DEFAULT_CHUNK} by default) has
 * been captured. Its timestamp is the read's return time minus the audio still buffered in the line and the chunk's
 * own length: the device's own input latency is not known to Java Sound and is not included.
 *
 * <p>Threads: one reader; {@link #close()} from any other thread stops the line and makes a blocked read return
 * null. Expect the first chunk to take longer (PulseAudio: about 0.6 s of start-up latency here).
 */
public final class JavaSoundMicrophone implements AudioSource {

    /** Audio per {@link #read()}: 20 ms keeps capture latency low without waking the reader too often. */
    public static final Duration DEFAULT_CHUNK = Duration.ofMillis(20);
    /** Line buffer: room for 10 chunks, so a reader that is briefly late loses nothing. */
    static final Duration LINE_BUFFER = Duration.ofMillis(200);

    private final TargetDataLine line;
    private final AudioFormat format;
    private final int chunkBytes;
    private final String deviceName;
    /** Guards closed; held only for flag changes and stop/close, never across read. */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    private long sequence;

    private JavaSoundMicrophone(TargetDataLine line, AudioFormat format, Duration chunk, String deviceName) {
        this.line = line;
        this.format = format;
        this.chunkBytes = (int) Math.max(format.bytesPerFrame(), format.bytesFor(chunk));
        this.deviceName = deviceName;
    }

    /** The default input device, 16 kHz mono if it can, 20 ms chunks. */
    public static JavaSoundMicrophone open() throws AudioDeviceException {
        return open(null, AudioFormat.PCM_16K_MONO, DEFAULT_CHUNK);
    }

    /**
     * Opens an input device.
     *
     * @param device    a device name (exact, or a unique part of one; see {@link AudioDevices#list()}), or null for
     *                  the system default
     * @param preferred the format to use if the device supports it
     * @param chunk     audio per {@link #read()}
     * @throws AudioDeviceException with a one-line message when there is no such device, it supports no 16-bit PCM
     *                              format, or it is busy
     */
    public static JavaSoundMicrophone open(String device, AudioFormat preferred, Duration chunk) throws AudioDeviceException {
        if (chunk.isNegative() || chunk.isZero()) {
            throw new IllegalArgumentException("chunk must be > 0, was " + chunk);
        }
        Mixer.Info mixer = AudioDevices.find(device, true);
        LineUnavailableException busy = null;
        for (AudioFormat f : AudioDevices.candidates(preferred)) {
            javax.sound.sampled.AudioFormat js = f.toJavaSound();
            DataLine.Info info = new DataLine.Info(TargetDataLine.class, js);
            TargetDataLine line;
            try {
                line = mixer == null ? (TargetDataLine) AudioSystem.getLine(info)
                        : (TargetDataLine) AudioSystem.getMixer(mixer).getLine(info);
            } catch (IllegalArgumentException e) {
                continue;   // this format is not supported: try the next
            } catch (LineUnavailableException e) {
                busy = e;
                continue;
            } catch (SecurityException e) {
                throw new AudioDeviceException("Audio input not permitted: " + AudioDevices.oneLine(e.getMessage()), e);
            }
            try {
                line.open(js, (int) Math.max(f.bytesPerFrame() * 2L, f.bytesFor(LINE_BUFFER)));
                line.start();
            } catch (LineUnavailableException | IllegalArgumentException | IllegalStateException e) {
                line.close();
                if (e instanceof LineUnavailableException lu) {
                    busy = lu;
                }
                continue;
            }
            String name = mixer != null ? mixer.getName() : "system default";
            return new JavaSoundMicrophone(line, f, chunk, name);
        }
        if (busy != null) {
            throw new AudioDeviceException("Audio input device unavailable: " + AudioDevices.oneLine(busy.getMessage()), busy);
        }
        int mixers = AudioSystem.getMixerInfo().length;
        throw new AudioDeviceException(mixers == 0
                ? "No audio input device: Java Sound sees 0 mixers (no sound card or sound server)"
                : "No audio input device captures 16-bit PCM" + (device == null ? "" : " on '" + device + "'")
                        + " (Java Sound sees " + mixers + " mixers)");
    }

    /** The format chunks are captured in (may differ from the preferred one). */
    @Override
    public AudioFormat format() {
        return format;
    }

    /** The device, for logs and the CLI. */
    public String deviceName() {
        return deviceName;
    }

    @Override
    public PcmChunk read() throws IOException {
        if (closed) {
            return null;
        }
        byte[] buf = new byte[chunkBytes];
        int n = 0;
        while (n < chunkBytes) {
            int r;
            try {
                r = line.read(buf, n, chunkBytes - n);
            } catch (IllegalArgumentException | IllegalStateException e) {
                if (closed) {
                    return null;
                }
                throw new IOException("audio input failed: " + e.getMessage(), e);
            }
            if (closed) {
                return null;
            }
            if (r <= 0 && !line.isOpen()) {
                throw new IOException("audio input line closed unexpectedly");
            }
            n += Math.max(0, r);
        }
        long now = System.nanoTime();
        long buffered = format.durationOf(Math.max(0, line.available())).toNanos();
        long capture = now - buffered - format.durationOf(chunkBytes).toNanos();
        return new PcmChunk(sequence++, capture, format, buf);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // stop + flush make a blocked read return; close releases the device.
            line.stop();
            line.flush();
            line.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "JavaSoundMicrophone[" + deviceName + ", " + format + "]";
    }
}
