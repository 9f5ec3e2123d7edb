package dev.habla.voice;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Prints what the voice DSP costs per 32 ms frame on this machine: Silero VAD (goal: at most 0.2 ms), the energy
 * VAD, the echo gate, and the resamplers the voice loop uses. Not a test; run it with
 * {@code habla-voice/run-report.sh VadCostReport [seconds-per-round]} (see the module README).
 *
 * <p>Audio: the speech-like synthesiser of the tests, so Silero's recurrent state sees speech and pauses. Each figure
 * is the median of five measurement rounds after a warm-up round, as CPU time of the calling thread and as wall time.
 */
public final class VadCostReport {

    private VadCostReport() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 20;
        int rate = VoiceActivityDetector.SAMPLE_RATE;
        short[] audio = TestSignals.speechLike(new Random(1), TestSignals.Voice.USER, rate, seconds, -26);
        int frames = audio.length / 512;
        short[][] f = new short[frames][];
        for (int i = 0; i < frames; i++) {
            f[i] = Arrays.copyOfRange(audio, i * 512, i * 512 + 512);
        }
        System.out.printf(Locale.ROOT, "Voice DSP cost, %d frames of 512 samples (%.0f s of 16 kHz audio) per round, "
                + "median of 5 rounds, %s %s, %d cores, load average %.1f%n", frames, seconds,
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("  (cpu = CPU time of the calling thread, which is where onnxruntime runs with one intra-op "
                + "thread; wall is higher on a loaded machine)");

        long created = System.nanoTime();
        try (SileroVad silero = SileroVad.create()) {
            double createMs = (System.nanoTime() - created) / 1e6;
            Cost c = measure(() -> {
                silero.reset();
                for (short[] frame : f) {
                    silero.speechProbability(frame);
                }
            }, frames);
            System.out.printf(Locale.ROOT, "  SileroVad (v5, onnxruntime 1 thread)   %s per 32 ms frame = %.2f %% of a "
                    + "core (goal <= 0.2 ms; session created in %.0f ms)%n", c, c.cpuMs() / 32 * 100, createMs);
        }
        EnergyVad energy = new EnergyVad();
        System.out.printf(Locale.ROOT, "  EnergyVad                              %s per 32 ms frame%n", measure(() -> {
            for (short[] frame : f) {
                energy.speechProbability(frame);
            }
        }, frames));

        // The echo gate with the assistant's 24 kHz audio as the far end and an echo of it in the mic, 8 rooms.
        List<EchoGateTest.Trial> trials = new ArrayList<>();
        int micFrames = 0;
        for (int i = 0; i < 8; i++) {
            trials.add(EchoGateTest.syntheticTrial(i, true));
            micFrames += trials.get(i).mic().length / 512;
        }
        Cost with = measure(() -> trials.forEach(t -> EchoGateTest.run(t, EchoGate.create(EchoGateTest.FAR_RATE),
                new EnergyVad())), micFrames);
        Cost without = measure(() -> trials.forEach(t -> EchoGateTest.run(t, DuplexPolicy.fullDuplex(),
                new EnergyVad())), micFrames);
        System.out.printf(Locale.ROOT, "  EchoGate (incl. 24->16 kHz reference)  %s per 32 ms frame%n",
                new Cost(with.cpuMs() - without.cpuMs(), with.wallMs() - without.wallMs()));

        for (int[] pair : new int[][] {{48_000, 16_000}, {44_100, 16_000}, {24_000, 16_000}, {24_000, 48_000},
            {24_000, 44_100}}) {
            short[] in = TestSignals.speechLike(new Random(2), TestSignals.Voice.ASSISTANT, pair[0], seconds, -22);
            int blocks = (int) (seconds * 1000 / 32);
            int block = in.length / blocks;
            Cost c = measure(() -> {
                Resampler r = Resampler.create(pair[0], pair[1]);
                for (int i = 0; i < blocks; i++) {
                    r.process(in, i * block, block);
                }
            }, blocks);
            System.out.printf(Locale.ROOT, "  Resampler %6d -> %6d Hz           %s per 32 ms of audio (%s)%n",
                    pair[0], pair[1], c, Resampler.create(pair[0], pair[1]));
        }
    }

    /** Milliseconds per unit: CPU time of this thread and wall time. */
    record Cost(double cpuMs, double wallMs) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "cpu %.4f ms (wall %.4f ms)", cpuMs, wallMs);
        }
    }

    /** Medians over 5 rounds (after one warm-up round) of the time per unit. */
    private static Cost measure(Runnable round, int units) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        round.run();
        double[] cpu = new double[5];
        double[] wall = new double[5];
        for (int i = 0; i < cpu.length; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            round.run();
            wall[i] = (System.nanoTime() - w0) / 1e6 / units;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6 / units;
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        return new Cost(cpu[2], wall[2]);
    }
}
