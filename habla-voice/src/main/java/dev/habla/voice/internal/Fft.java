package dev.habla.voice.internal;

/**
 * In-place iterative radix-2 complex FFT on separate real and imaginary arrays, with precomputed twiddles.
 * Not thread-safe (no state is written after construction, but callers own the arrays they pass).
 */
public final class Fft {

    private final int n;
    private final int[] bitReverse;
    private final double[] cos;
    private final double[] sin;

    /** An FFT of size {@code n}, a power of two >= 2. */
    public Fft(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("FFT size must be a power of two >= 2, was " + n);
        }
        this.n = n;
        int bits = Integer.numberOfTrailingZeros(n);
        bitReverse = new int[n];
        for (int i = 0; i < n; i++) {
            bitReverse[i] = Integer.reverse(i) >>> (32 - bits);
        }
        cos = new double[n / 2];
        sin = new double[n / 2];
        for (int i = 0; i < n / 2; i++) {
            cos[i] = Math.cos(2 * Math.PI * i / n);
            sin[i] = Math.sin(2 * Math.PI * i / n);
        }
    }

    public int size() {
        return n;
    }

    /** Forward transform (e^{-i...}) of {@code re + i im}, in place. */
    public void forward(double[] re, double[] im) {
        transform(re, im, -1);
    }

    /** Inverse transform, in place, including the 1/n scaling. */
    public void inverse(double[] re, double[] im) {
        transform(re, im, 1);
        double k = 1.0 / n;
        for (int i = 0; i < n; i++) {
            re[i] *= k;
            im[i] *= k;
        }
    }

    private void transform(double[] re, double[] im, int sign) {
        if (re.length != n || im.length != n) {
            throw new IllegalArgumentException("arrays must have length " + n);
        }
        for (int i = 0; i < n; i++) {
            int j = bitReverse[i];
            if (j > i) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int size = 2; size <= n; size <<= 1) {
            int half = size >> 1;
            int step = n / size;
            for (int start = 0; start < n; start += size) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * step];
                    double wi = sign * sin[k * step];
                    int a = start + k;
                    int b = a + half;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }
}
