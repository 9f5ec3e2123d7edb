package dev.habla.voice;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Echo-gate rates outside the ranges {@link EchoGateTest} asserts on: louder echo (speakerphones), quieter users,
 * stronger reflections. Synthetic voices and the energy VAD, 60 seeded trials per row. Not a test; run it with
 * {@code habla-voice/run-report.sh EchoGateSweep} (see the module README).
 */
public final class EchoGateSweep {

    private EchoGateSweep() {
    }

    record Row(double echoLoDb, double echoHiDb, double userLoDbfs, double userHiDbfs, double reflectionBoostDb) {
    }

    public static void main(String[] args) {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        List<Row> rows = List.of(new Row(-20, -6, -26, -20, 0), new Row(-6, 0, -26, -20, 0),
                new Row(-20, -6, -32, -26, 0), new Row(-20, -6, -38, -32, 0), new Row(-6, -3, -32, -26, 0),
                new Row(-20, -6, -26, -20, 6));
        System.out.printf(Locale.ROOT, "EchoGate sweep, %d trials per row (synthetic voices, energy VAD, delay "
                + "20-150 ms, noise -62..-55 dBFS)%n", trials);
        for (Row row : rows) {
            int[] tally = IntStream.range(0, trials).parallel().mapToObj(t -> run(row, t)).reduce(new int[3],
                    (a, b) -> new int[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
            System.out.printf(Locale.ROOT, "  echo %5.0f..%3.0f dB, user %3.0f..%3.0f dBFS, reflections %+.0f dB: "
                    + "false barge-in %d/%d, user detected %d/%d, false before the user spoke %d/%d%n",
                    row.echoLoDb(), row.echoHiDb(), row.userLoDbfs(), row.userHiDbfs(), row.reflectionBoostDb(),
                    tally[0], trials, tally[1], trials, tally[2], trials);
        }
    }

    /** {false barge-in in the echo-only trial, detected in the user trial, false before the user spoke}. */
    private static int[] run(Row row, int t) {
        int[] out = new int[3];
        for (int withUser = 0; withUser < 2; withUser++) {
            long seed = 1000 + t + withUser * 50_000L;
            Random r = new Random(EchoGateTest.mix(seed));
            EchoGateTest.Room base = EchoGateTest.Room.random(r);
            EchoGateTest.Room room = new EchoGateTest.Room(
                    row.echoLoDb() + (row.echoHiDb() - row.echoLoDb()) * r.nextDouble(), base.delay(), base.r1Delay(),
                    base.r1Db() + row.reflectionBoostDb(), base.r2Delay(), base.r2Db() + row.reflectionBoostDb(),
                    base.noiseDbfs());
            short[] speech = TestSignals.speechLike(r, TestSignals.Voice.ASSISTANT, EchoGateTest.FAR_RATE, 3.5,
                    EchoGateTest.FAR_LEVEL_DBFS);
            short[] far = TestSignals.concat(new short[EchoGateTest.FAR_RATE / 2], speech,
                    new short[EchoGateTest.FAR_RATE / 2]);
            short[] user = null;
            int onset = -1;
            if (withUser == 1) {
                user = TestSignals.speechLike(r, TestSignals.Voice.USER, EchoGateTest.MIC_RATE,
                        0.8 + 0.4 * r.nextDouble(),
                        row.userLoDbfs() + (row.userHiDbfs() - row.userLoDbfs()) * r.nextDouble());
                onset = (int) (EchoGateTest.MIC_RATE * (0.5 + 0.8 + 1.3 * r.nextDouble()));
            }
            EchoGateTest.Trial trial = new EchoGateTest.Trial(room, far, room.mic(far, user, onset, seed), onset,
                    user == null ? 0 : user.length);
            EchoGateTest.Outcome o = EchoGateTest.run(trial, EchoGate.create(EchoGateTest.FAR_RATE), new EnergyVad());
            if (withUser == 0) {
                out[0] += o.falseBargeIn() ? 1 : 0;
            } else {
                out[1] += o.detected() ? 1 : 0;
                out[2] += o.falseBargeIn() ? 1 : 0;
            }
        }
        return out;
    }
}
