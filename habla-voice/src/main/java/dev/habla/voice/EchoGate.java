package dev.habla.voice;

import dev.habla.voice.internal.Fft;
import dev.habla.voice.internal.SampleRing;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Full-duplex barge-in gate: tells the user's voice from the assistant's own voice coming back through the
 * speakers (echo), without cancelling the echo.
 *
 * <h2>How</h2>
 * <ol>
 *   <li><b>Far-end reference.</b> Everything the speaker plays is recorded on a 16 kHz timeline, at the time it is
 *       played ({@link #onPlayed}; 24 kHz model audio is resampled with a {@link Resampler}).</li>
 *   <li><b>Echo path.</b> Every few frames, while the far end is active, the last {@value #WINDOW_MS} ms of
 *       microphone audio is cross-correlated with the reference over delays 0 to {@code maxEchoDelay} by
 *       GCC-PHAT (an FFT cross-spectrum with phase weighting, whose peak stays sharp at the direct-path delay where
 *       a plain correlation of voiced speech is ambiguous by whole pitch periods). When the normalised time-domain
 *       correlation at that delay reaches {@code minCorrelation} the mic is dominated by echo, and the delay and the
 *       least-squares gain become the echo path estimate.</li>
 *   <li><b>Decision, per mic frame.</b> With a path estimate, the predicted echo (the reference at that delay, times
 *       the gain) is subtracted and the residual energy is compared with the predicted echo energy, widened into a
 *       decaying tail for room reverberation: the frame is the user's if the residual exceeds the prediction by
 *       {@code marginDb} <i>and</i> the mic level exceeds it by {@code levelMarginDb} (both above the noise floor).
 *       The residual threshold also rises with the residual that echo-only frames have been leaving (a poor
 *       subtraction raises the bar instead of causing false barge-ins). Before any estimate, the far end is
 *       assumed to return at up to {@code assumedEchoGainDb} at any delay in range, and the mic frame must exceed
 *       that by {@code levelMarginDb}.</li>
 *   <li>If nothing audible was played within {@code maxEchoDelay} plus the tail, every frame is the user's.</li>
 * </ol>
 * This is an echo <i>suppression decision</i>, not acoustic echo cancellation: the audio sent to the model is not
 * changed. It stops the assistant from interrupting itself while leaving barge-in working; measured rates are in
 * the module README ({@code EchoGateTest}).
 *
 * <p>Time: far-end play times and mic capture times must come from one clock (e.g. {@link System#nanoTime()}); only
 * their differences matter. Errors in either (device latency) are absorbed by the delay search as long as the true
 * echo delay stays within {@code maxEchoDelay}. The mic must be 16 kHz mono.
 *
 * <p>Thread-safety: {@link #onPlayed} (playback pump) and {@link #isLikelyUserSpeech} (mic pump) may run on
 * different threads; one lock guards all state. A mic frame holds it for the decision and, every few frames, a
 * delay search (about 1-2 ms), so {@link #onPlayed} may wait that long.
 */
public final class EchoGate implements DuplexPolicy {

    /** Analysis rate: the mic rate. */
    static final int RATE = VoiceActivityDetector.SAMPLE_RATE;
    /** Length of the correlation window. */
    static final int WINDOW_MS = 320;
    private static final int WINDOW = RATE * WINDOW_MS / 1000;
    /** Reverberation tail modelled after the direct echo, in blocks of {@link #BLOCK} samples. */
    private static final int TAIL_BLOCKS = 16;
    private static final int BLOCK = 128;
    private static final int TAIL = TAIL_BLOCKS * BLOCK;
    /** Assumed decay of the room's reverberation: 60 dB in 400 ms. */
    private static final double TAIL_DECAY_DB_PER_BLOCK = 60.0 / 400 * (BLOCK * 1000.0 / RATE);
    /** Far-end reference quieter than this (RMS) counts as silence. */
    private static final double FAR_SILENCE_DBFS = -60;
    /** Weight of the accumulated GCC-PHAT score per search: about the last 5 searches count. */
    private static final double SCORE_DECAY = 0.8;
    /** A delay search needs the reference louder than ACTIVE_DBFS in this fraction of its window. */
    private static final double MIN_ACTIVE_FRACTION = 0.4;
    private static final double ACTIVE_DBFS = -50;
    /** Frames between delay searches before and after the first estimate. */
    private static final int SEARCH_EVERY_UNCONVERGED = 3;
    private static final int SEARCH_EVERY_CONVERGED = 12;
    /** Far-end play times within this much of the expected continuation count as continuous. */
    private static final long CONTINUITY_NANOS = 5_000_000;

    /** Timestamps further apart than this are not on one clock (and would overflow the timeline): one day. */
    private static final long MAX_CLOCK_SPAN_NANOS = 86_400_000_000_000L;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EchoGate.class);

    /** Defaults; see {@link Config}. */
    public static final Duration DEFAULT_MAX_ECHO_DELAY = Duration.ofMillis(300);
    public static final double DEFAULT_ASSUMED_ECHO_GAIN_DB = 0;
    public static final double DEFAULT_MARGIN_DB = -1;
    public static final double DEFAULT_LEVEL_MARGIN_DB = 1.5;
    public static final double DEFAULT_MIN_CORRELATION = 0.5;

    /**
     * Gate settings; build with {@link #create(int, Consumer)}.
     *
     * @param farEndRate        sample rate of the audio given to {@link #onPlayed} (24 kHz for Gemini output)
     * @param maxEchoDelay      longest speaker-to-mic delay searched (device latencies plus acoustics), 10-1000 ms
     * @param assumedEchoGainDb before the echo path is known: the loudest the echo is assumed to be relative to the
     *                          reference; 0 dB is safe for laptops and desk speakers, raise it for speakerphones
     *                          with the mic next to the loudspeaker
     * @param marginDb          how far the residual after echo subtraction must exceed the predicted echo energy
     *                          for a frame to be the user's (lower = more sensitive barge-in, more false ones)
     * @param levelMarginDb     how far the mic frame itself must exceed the predicted echo energy (both tests must
     *                          pass; this one also applies before the echo path is known)
     * @param minCorrelation    normalised correlation at which a delay search is trusted, 0-1
     */
    public record Config(int farEndRate, Duration maxEchoDelay, double assumedEchoGainDb, double marginDb,
                         double levelMarginDb, double minCorrelation) {

        public Config {
            Objects.requireNonNull(maxEchoDelay, "maxEchoDelay");
            if (farEndRate < 1000 || farEndRate > 768_000) {
                throw new IllegalArgumentException("farEndRate must be 1000..768000 Hz, was " + farEndRate);
            }
            if (maxEchoDelay.toMillis() < 10 || maxEchoDelay.toMillis() > 1000) {
                throw new IllegalArgumentException("maxEchoDelay must be 10..1000 ms, was " + maxEchoDelay);
            }
            if (!(minCorrelation > 0 && minCorrelation < 1)) {
                throw new IllegalArgumentException("minCorrelation must be in (0, 1), was " + minCorrelation);
            }
            if (Double.isNaN(assumedEchoGainDb) || Double.isNaN(marginDb) || Double.isNaN(levelMarginDb)) {
                throw new IllegalArgumentException("assumedEchoGainDb, marginDb and levelMarginDb must be numbers");
            }
        }

        /** Mutable builder with the defaults above. */
        public static final class Builder {
            private final int farEndRate;
            private Duration maxEchoDelay = DEFAULT_MAX_ECHO_DELAY;
            private double assumedEchoGainDb = DEFAULT_ASSUMED_ECHO_GAIN_DB;
            private double marginDb = DEFAULT_MARGIN_DB;
            private double levelMarginDb = DEFAULT_LEVEL_MARGIN_DB;
            private double minCorrelation = DEFAULT_MIN_CORRELATION;

            private Builder(int farEndRate) {
                this.farEndRate = farEndRate;
            }

            public Builder maxEchoDelay(Duration v) {
                maxEchoDelay = v;
                return this;
            }

            public Builder assumedEchoGainDb(double v) {
                assumedEchoGainDb = v;
                return this;
            }

            public Builder marginDb(double v) {
                marginDb = v;
                return this;
            }

            public Builder levelMarginDb(double v) {
                levelMarginDb = v;
                return this;
            }

            public Builder minCorrelation(double v) {
                minCorrelation = v;
                return this;
            }

            Config build() {
                return new Config(farEndRate, maxEchoDelay, assumedEchoGainDb, marginDb, levelMarginDb, minCorrelation);
            }
        }
    }

    /** What the gate concluded about the frame, in order of the checks. */
    public enum Verdict {
        /** Nothing audible was played recently: the frame cannot be echo. */
        NO_FAR_END,
        /** More energy than the echo can explain: the user (possibly over the echo). */
        USER,
        /** Explained by the far end: echo. */
        ECHO
    }

    /**
     * The gate's reasoning about one mic frame, for logs and metrics.
     *
     * @param verdict        the conclusion; {@link #userSpeech()} is {@code verdict != ECHO}
     * @param micDbfs        RMS level of the mic frame
     * @param echoDbfs       RMS level of the predicted echo (the tail-widened prediction), or -inf with no far end
     * @param residualDbfs   RMS level after subtracting the predicted echo (the mic level before an estimate)
     * @param pathKnown      whether an echo path estimate was used
     * @param delay          estimated echo delay (zero if unknown)
     * @param gainDb         estimated echo gain in dB (NaN if unknown)
     */
    public record Analysis(Verdict verdict, double micDbfs, double echoDbfs, double residualDbfs, boolean pathKnown,
                           Duration delay, double gainDb) {

        public boolean userSpeech() {
            return verdict != Verdict.ECHO;
        }
    }

    /**
     * The current echo path estimate.
     *
     * @param known       whether any delay search has succeeded yet
     * @param delay       speaker-to-mic delay
     * @param gainDb      echo level relative to the reference
     * @param correlation normalised correlation of the search that produced it
     */
    public record EchoPath(boolean known, Duration delay, double gainDb, double correlation) {
    }

    private final Config config;
    private final int maxDelay;
    private final double marginLin;
    private final double levelMarginLin;
    private final double assumedGainSq;
    private final Resampler farResampler;

    private final ReentrantLock lock = new ReentrantLock();
    // Everything below is guarded by lock.
    private final SampleRing far;
    private final SampleRing mic;
    /** Clock origin of the 16 kHz timeline; set by the first call of either kind. */
    private long origin;
    private boolean originSet;
    /** Far-end continuity (resampled path): timeline index and clock time of the first sample since the anchor. */
    private long farAnchorIndex;
    private long farAnchorNanos;
    private long farInSinceAnchor;
    private long farOutSinceAnchor;
    private boolean farAnchored;

    private boolean pathKnown;
    private int delay;
    private double gain;
    private double correlation;
    private int framesSinceSearch;
    /** A delay found once but not yet confirmed by a second search, or -1. */
    private int candidateDelay = -1;
    private double candidateGain;
    /** Mic noise floor, energy per sample; negative until the first frame. */
    private double noiseFloor = -1;
    /** Running residual/prediction ratio on echo-only frames: how well subtraction works here. */
    private double leak = 0.05;

    // Scratch buffers, reused frame to frame (mic thread, under lock).
    private short[] farSeg = new short[0];
    private double[] farCumulative = new double[1];
    private short[] micWin = new short[WINDOW];
    private final Fft fft;
    private final double[] re;
    private final double[] im;
    private final double[] xRe;
    private final double[] xIm;
    /** Accumulated GCC-PHAT score per delay in samples (index = delay). */
    private final double[] score;

    private EchoGate(Config config) {
        this.config = config;
        this.maxDelay = (int) (config.maxEchoDelay().toMillis() * RATE / 1000);
        this.marginLin = Math.pow(10, config.marginDb() / 10);
        this.levelMarginLin = Math.pow(10, config.levelMarginDb() / 10);
        this.assumedGainSq = Math.pow(10, config.assumedEchoGainDb() / 10);
        this.farResampler = config.farEndRate() == RATE ? null : Resampler.create(config.farEndRate(), RATE);
        this.far = new SampleRing(WINDOW + maxDelay + TAIL + 2 * RATE);
        this.mic = new SampleRing(WINDOW + 2 * RATE);
        // Correlating WINDOW mic samples with WINDOW + maxDelay reference samples at lags 0..maxDelay never wraps
        // around a circular buffer of at least WINDOW + maxDelay.
        this.fft = new Fft(Integer.highestOneBit(WINDOW + maxDelay - 1) << 1);
        this.re = new double[fft.size()];
        this.im = new double[fft.size()];
        this.xRe = new double[fft.size() / 2 + 1];
        this.xIm = new double[fft.size() / 2 + 1];
        this.score = new double[maxDelay + 1];
    }

    /** A gate for far-end audio at {@code farEndRate} with default settings. */
    public static EchoGate create(int farEndRate) {
        return create(farEndRate, c -> { });
    }

    /** A gate for far-end audio at {@code farEndRate} with {@code customizer}'s changes to the defaults. */
    public static EchoGate create(int farEndRate, Consumer<Config.Builder> customizer) {
        Config.Builder b = new Config.Builder(farEndRate);
        customizer.accept(b);
        return new EchoGate(b.build());
    }

    public Config config() {
        return config;
    }

    @Override
    public void onPlayed(short[] pcm, long playTimeNanos) {
        Objects.requireNonNull(pcm, "pcm");
        lock.lock();
        try {
            setOrigin(playTimeNanos);
            if (farResampler == null) {
                far.writeAt(index(playTimeNanos), pcm, 0, pcm.length);
                return;
            }
            long expected = farAnchorNanos + farInSinceAnchor * 1_000_000_000L / config.farEndRate();
            if (!farAnchored || Math.abs(playTimeNanos - expected) > CONTINUITY_NANOS) {
                if (farAnchored) {
                    short[] tail = farResampler.flush();
                    far.writeAt(farAnchorIndex + farOutSinceAnchor, tail, 0, tail.length);
                }
                farAnchored = true;
                farAnchorNanos = playTimeNanos;
                farAnchorIndex = index(playTimeNanos);
                farInSinceAnchor = 0;
                farOutSinceAnchor = 0;
            }
            short[] out = farResampler.process(pcm);
            far.writeAt(farAnchorIndex + farOutSinceAnchor, out, 0, out.length);
            farInSinceAnchor += pcm.length;
            farOutSinceAnchor += out.length;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isLikelyUserSpeech(short[] micFrame, long micTimeNanos) {
        return analyze(micFrame, micTimeNanos).userSpeech();
    }

    /** Like {@link #isLikelyUserSpeech} but returns the reasoning; same side effects (call one or the other). */
    public Analysis analyze(short[] micFrame, long micTimeNanos) {
        Objects.requireNonNull(micFrame, "micFrame");
        int n = micFrame.length;
        if (n == 0 || n > WINDOW) {
            throw new IllegalArgumentException("mic frame must hold 1.." + WINDOW + " samples (" + WINDOW_MS
                    + " ms at 16 kHz), got " + n);
        }
        lock.lock();
        try {
            setOrigin(micTimeNanos);
            long idx = index(micTimeNanos);
            mic.writeAt(idx, micFrame, 0, n);
            double eMic = Pcm16.energy(micFrame, 0, n);
            updateNoiseFloor(eMic / n);
            double noise = noiseFloor * n;

            // The far end from [idx + n - WINDOW - maxDelay - TAIL, idx + n): enough for the search and the tail.
            long segStart = idx + n - WINDOW - maxDelay - TAIL;
            int segLength = WINDOW + maxDelay + TAIL;
            if (farSeg.length != segLength) {
                farSeg = new short[segLength];
            }
            far.read(segStart, farSeg, 0, segLength);
            // Prefix sums of squares: every window energy below is then O(1).
            if (farCumulative.length != segLength + 1) {
                farCumulative = new double[segLength + 1];
            }
            for (int i = 0; i < segLength; i++) {
                double v = farSeg[i];
                farCumulative[i + 1] = farCumulative[i] + v * v;
            }
            int frameAt = (int) (idx - segStart);   // index of the mic frame's first sample within farSeg
            double farRecent = farEnergy(frameAt - maxDelay - TAIL, maxDelay + TAIL + n);
            double farSilence = Math.pow(10, FAR_SILENCE_DBFS / 10) * Pcm16.FULL_SCALE * Pcm16.FULL_SCALE;
            if (farRecent / (maxDelay + TAIL + n) < farSilence) {
                return new Analysis(Verdict.NO_FAR_END, dbfs(eMic, n), Double.NEGATIVE_INFINITY, dbfs(eMic, n),
                        pathKnown, delayDuration(), pathKnown ? gainDb() : Double.NaN);
            }

            if (++framesSinceSearch >= (pathKnown ? SEARCH_EVERY_CONVERGED : SEARCH_EVERY_UNCONVERGED)) {
                framesSinceSearch = 0;
                search(idx + n, segStart);
            }

            if (!pathKnown) {
                // Worst case: the loudest stretch of reference within the delay range, at the assumed gain.
                double worst = 0;
                for (int lag = 0; lag <= maxDelay + TAIL; lag += BLOCK / 4) {
                    worst = Math.max(worst, farEnergy(frameAt - lag, n));
                }
                double predicted = assumedGainSq * worst;
                boolean user = eMic > predicted * levelMarginLin + 4 * noise;
                return new Analysis(user ? Verdict.USER : Verdict.ECHO, dbfs(eMic, n), dbfs(predicted, n),
                        dbfs(eMic, n), false, Duration.ZERO, Double.NaN);
            }

            int at = frameAt - delay;
            double eRes = 0;
            for (int i = 0; i < n; i++) {
                double r = micFrame[i] - gain * farSeg[at + i];
                eRes += r * r;
            }
            double predicted = 0;
            for (int j = -1; j <= TAIL_BLOCKS; j++) {
                double decay = j <= 0 ? 1 : Math.pow(10, -TAIL_DECAY_DB_PER_BLOCK * j / 10);
                predicted = Math.max(predicted, farEnergy(at - j * BLOCK, n) * decay);
            }
            predicted *= gain * gain;
            // Two tests, both needed: the residual must be more than subtraction leaves of echo (sensitive when
            // the path is right), and the mic must be louder than the predicted echo envelope (robust where the
            // subtraction is off, e.g. at a syllable onset after a small delay error).
            boolean user = eRes > predicted * Math.max(marginLin, 4 * leak) + 4 * noise
                    && eMic > predicted * levelMarginLin + 4 * noise;
            if (!user && predicted > 4 * noise) {
                leak = 0.95 * leak + 0.05 * Math.min(1, eRes / predicted);
            }
            return new Analysis(user ? Verdict.USER : Verdict.ECHO, dbfs(eMic, n), dbfs(predicted, n),
                    dbfs(eRes, n), true, delayDuration(), gainDb());
        } finally {
            lock.unlock();
        }
    }

    /** The current echo path estimate. */
    public EchoPath echoPath() {
        lock.lock();
        try {
            return new EchoPath(pathKnown, delayDuration(), pathKnown ? gainDb() : Double.NaN, correlation);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void reset() {
        lock.lock();
        try {
            resetLocked();
        } finally {
            lock.unlock();
        }
    }

    private void resetLocked() {
        far.clear();
        mic.clear();
        if (farResampler != null) {
            farResampler.reset();
        }
        originSet = false;
        farAnchored = false;
        pathKnown = false;
        delay = 0;
        gain = 0;
        correlation = 0;
        framesSinceSearch = 0;
        candidateDelay = -1;
        java.util.Arrays.fill(score, 0);
        noiseFloor = -1;
        leak = 0.05;
    }

    @Override
    public String toString() {
        EchoPath p = echoPath();
        return "EchoGate[" + (p.known() ? "delay " + p.delay().toMillis() + " ms, gain "
                + String.format(java.util.Locale.ROOT, "%.1f", p.gainDb()) + " dB" : "echo path unknown") + "]";
    }

    /**
     * Delay search over the WINDOW mic samples ending at {@code micEnd}: generalised cross-correlation with phase
     * transform (GCC-PHAT) against the reference over delays 0..maxDelay, via one FFT of both signals. PHAT whitens
     * the cross-spectrum, so the peak is sharp at the direct-path delay instead of smeared over the pitch periods of
     * voiced speech (which fooled a plain correlation by whole periods). The winner is then checked in the time
     * domain: its normalised correlation must reach minCorrelation, and it yields the least-squares gain.
     */
    private void search(long micEnd, long segStart) {
        mic.read(micEnd - WINDOW, micWin, 0, WINDOW);
        double eMic = Pcm16.energy(micWin, 0, WINDOW);
        if (eMic < 4 * noiseFloor * WINDOW) {
            return;   // mic too quiet to correlate
        }
        int micAt = (int) (micEnd - WINDOW - segStart);   // mic window start within farSeg
        int farFrom = micAt - maxDelay;
        int farLength = WINDOW + maxDelay;
        int size = fft.size();
        java.util.Arrays.fill(re, 0);
        java.util.Arrays.fill(im, 0);
        // Two real signals in one complex FFT: mic in the real part, reference in the imaginary part.
        for (int i = 0; i < WINDOW; i++) {
            re[i] = micWin[i];
        }
        for (int i = 0; i < farLength; i++) {
            im[i] = farSeg[farFrom + i];
        }
        fft.forward(re, im);
        // Separate M(k) and F(k), form X(k) = conj(M(k)) F(k), and collect |X| for the PHAT weights.
        double magSum = 0;
        for (int k = 0; k <= size / 2; k++) {
            int nk = (size - k) & (size - 1);
            double zr = re[k];
            double zi = im[k];
            double cr = re[nk];
            double ci = -im[nk];
            double mr = (zr + cr) / 2;
            double mi = (zi + ci) / 2;
            double fr = (zi - ci) / 2;
            double fi = -(zr - cr) / 2;
            double xr = mr * fr + mi * fi;
            double xi = mr * fi - mi * fr;
            xRe[k] = xr;
            xIm[k] = xi;
            magSum += Math.sqrt(xr * xr + xi * xi);
        }
        if (magSum == 0) {
            return;
        }
        // Bins far weaker than average (no reference energy there) get little weight instead of a random phase.
        double eps = 0.1 * magSum / (size / 2 + 1);
        for (int k = 0; k <= size / 2; k++) {
            double w = 1 / (Math.sqrt(xRe[k] * xRe[k] + xIm[k] * xIm[k]) + eps);
            re[k] = xRe[k] * w;
            im[k] = xIm[k] * w;
            if (k > 0 && k < size / 2) {
                re[size - k] = re[k];
                im[size - k] = -im[k];
            }
        }
        fft.inverse(re, im);
        // re[tau] = sum_i mic[i] * far[farFrom + i + tau]; the echo delay is maxDelay - tau. One window can put a
        // pitch-period alias (or a strong early reflection one period late) on top, so the normalised curves of
        // successive searches are accumulated with a forgetting factor: aliases move as the pitch moves, the
        // true delay stays, and a changed path takes over within a few searches.
        double peak = 0;
        for (int tau = 0; tau <= maxDelay; tau++) {
            peak = Math.max(peak, Math.abs(re[tau]));
        }
        if (peak == 0) {
            return;
        }
        int bestTau = -1;
        double bestScore = 0;
        for (int tau = 0; tau <= maxDelay; tau++) {
            double v = score[maxDelay - tau] * SCORE_DECAY + Math.abs(re[tau]) / peak;
            score[maxDelay - tau] = v;
            if (v > bestScore) {
                bestScore = v;
                bestTau = tau;
            }
        }
        int coarse = maxDelay - bestTau;
        int fineBest = -1;
        double fineRho = 0;
        double fineC = 0;
        double fineE = 0;
        for (int d = Math.max(0, coarse - 2); d <= Math.min(maxDelay, coarse + 2); d++) {
            double c = 0;
            double e = 0;
            int base = micAt - d;
            for (int i = 0; i < WINDOW; i++) {
                double f = farSeg[base + i];
                c += micWin[i] * f;
                e += f * f;
            }
            if (e <= 0) {
                continue;
            }
            double rho = Math.abs(c) / Math.sqrt(eMic * e);
            if (rho > fineRho) {
                fineRho = rho;
                fineBest = d;
                fineC = c;
                fineE = e;
            }
        }
        if (fineBest < 0 || fineRho < config.minCorrelation() || !referenceFillsWindow(micAt - fineBest)) {
            return;
        }
        double g = fineC / fineE;
        if (pathKnown && Math.abs(fineBest - delay) <= 2 && Math.signum(g) == Math.signum(gain)) {
            // The same path again: track slow changes in delay and gain.
            gain = 0.7 * gain + 0.3 * g;
            delay = fineBest;
            correlation = fineRho;
            candidateDelay = -1;
            return;
        }
        // A first or different path: believe it only when the next search agrees. A single syllable of steady
        // vowel correlates with itself at whole pitch periods, so one search alone can pick a wrong delay.
        if (candidateDelay >= 0 && Math.abs(fineBest - candidateDelay) <= 2
                && Math.signum(g) == Math.signum(candidateGain)) {
            delay = fineBest;
            gain = g;
            correlation = fineRho;
            pathKnown = true;
            candidateDelay = -1;
        } else {
            candidateDelay = fineBest;
            candidateGain = g;
        }
    }

    /**
     * Whether the reference at this alignment (farSeg index of the window's first sample) is audible in at least
     * {@link #MIN_ACTIVE_FRACTION} of the window's blocks: a window holding only the onset of one syllable is too
     * little evidence for a delay.
     */
    private boolean referenceFillsWindow(int from) {
        double silence = Math.pow(10, ACTIVE_DBFS / 10) * Pcm16.FULL_SCALE * Pcm16.FULL_SCALE * BLOCK;
        int active = 0;
        int blocks = WINDOW / BLOCK;
        for (int b = 0; b < blocks; b++) {
            if (farEnergy(from + b * BLOCK, BLOCK) > silence) {
                active++;
            }
        }
        return active >= blocks * MIN_ACTIVE_FRACTION;
    }

    private void updateNoiseFloor(double energyPerSample) {
        double e = Math.max(energyPerSample, 1e-2);
        if (noiseFloor < 0) {
            noiseFloor = e;
        } else if (e < noiseFloor) {
            noiseFloor = 0.5 * noiseFloor + 0.5 * e;
        } else {
            // Rises about 1 dB per second of 32 ms frames: speech pauses pull it back down.
            noiseFloor = Math.min(e, noiseFloor * 1.0075);
        }
    }

    /**
     * Sets the timeline origin on first use. A timestamp more than a day away from it cannot be on the same clock
     * as what came before (or the timeline would overflow): start over from it rather than fail.
     */
    private void setOrigin(long nanos) {
        long d = nanos - origin;
        boolean overflowed = ((nanos ^ origin) & (nanos ^ d)) < 0;
        if (originSet && (overflowed || Math.abs(d) > MAX_CLOCK_SPAN_NANOS)) {
            log.warn("Timestamp {} ns is more than a day from the echo gate's origin {} ns; starting over", nanos,
                    origin);
            resetLocked();
        }
        if (!originSet) {
            origin = nanos;
            originSet = true;
        }
    }

    private long index(long nanos) {
        return Math.floorDiv(Math.multiplyExact(nanos - origin, (long) RATE), 1_000_000_000L);
    }

    private Duration delayDuration() {
        return Duration.ofNanos(delay * 1_000_000_000L / RATE);
    }

    private double gainDb() {
        return 20 * Math.log10(Math.abs(gain));
    }

    /** Energy of farSeg[from, from + length), clipped to the segment; needs farCumulative to be current. */
    private double farEnergy(int from, int length) {
        int lo = Math.max(0, from);
        int hi = Math.min(farSeg.length, from + length);
        return lo >= hi ? 0 : Math.max(0, farCumulative[hi] - farCumulative[lo]);
    }

    private static double dbfs(double energy, int n) {
        return 10 * Math.log10(energy / n / (Pcm16.FULL_SCALE * Pcm16.FULL_SCALE));
    }

}
