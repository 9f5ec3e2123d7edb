package dev.habla.voice;

/**
 * Child-process helper for {@link SileroVadTest}: the JVM's first Silero load and one inference, from a thread with a
 * 256 KB stack. Prints {@code silence p=...} and exits 0; a native stack overflow would end it with SIGSEGV (139).
 */
public final class VadLoadMain {
    private VadLoadMain() {}

    public static void main(String[] args) throws Exception {
        float[] p = new float[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try (SileroVad vad = SileroVad.create()) {
                p[0] = vad.speechProbability(new short[512]);
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "small-stack", 256 << 10);
        t.start();
        t.join();
        if (failure[0] != null) {
            failure[0].printStackTrace();
            System.exit(2);
        }
        System.out.println("silence p=" + p[0]);
    }
}
