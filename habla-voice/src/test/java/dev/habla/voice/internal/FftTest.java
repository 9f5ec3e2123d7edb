package dev.habla.voice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FftTest {

    @Test
    void matchesTheDefinitionAndInvertsExactly() {
        int n = 64;
        Random r = new Random(1);
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = r.nextGaussian();
            im[i] = r.nextGaussian();
        }
        double[] re0 = re.clone();
        double[] im0 = im.clone();
        Fft fft = new Fft(n);
        fft.forward(re, im);
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int t = 0; t < n; t++) {
                double a = -2 * Math.PI * k * t / n;
                sr += re0[t] * Math.cos(a) - im0[t] * Math.sin(a);
                si += re0[t] * Math.sin(a) + im0[t] * Math.cos(a);
            }
            assertThat(re[k]).isCloseTo(sr, offset(1e-9));
            assertThat(im[k]).isCloseTo(si, offset(1e-9));
        }
        fft.inverse(re, im);
        for (int i = 0; i < n; i++) {
            assertThat(re[i]).isCloseTo(re0[i], offset(1e-12));
            assertThat(im[i]).isCloseTo(im0[i], offset(1e-12));
        }
        assertThatThrownBy(() -> new Fft(48)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fft.forward(new double[8], new double[8]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
