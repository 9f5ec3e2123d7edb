package dev.habla.client;

import java.util.Arrays;
import java.util.List;

/**
 * Compares what a server received with what was sent, chunk by chunk: counts lost and duplicated bytes (and bytes
 * matching nothing), so a failure says what went wrong instead of dumping two arrays.
 */
record AudioCheck(long sentBytes, long receivedBytes, long lostBytes, long duplicatedBytes, long strayBytes, long firstMismatch) {

    static AudioCheck compare(byte[] sent, List<int[]> chunks, byte[] received) {
        long lost = 0;
        long dup = 0;
        long stray = 0;
        long firstMismatch = Arrays.mismatch(sent, received);
        int p = 0;
        int i = 0;
        while (i < chunks.size() && p < received.length) {
            if (matches(sent, chunks.get(i), received, p)) {
                p += chunks.get(i)[1];
                i++;
                continue;
            }
            boolean resolved = false;
            for (int j = i - 1; j >= Math.max(0, i - 200) && !resolved; j--) {
                if (matches(sent, chunks.get(j), received, p)) {
                    dup += chunks.get(j)[1];
                    p += chunks.get(j)[1];
                    resolved = true;
                }
            }
            for (int k = 1; k <= 200 && i + k < chunks.size() && !resolved; k++) {
                if (matches(sent, chunks.get(i + k), received, p)) {
                    for (int m = i; m < i + k; m++) {
                        lost += chunks.get(m)[1];
                    }
                    i += k;
                    resolved = true;
                }
            }
            if (!resolved) {
                stray += 2;
                p += 2;
            }
        }
        for (; i < chunks.size(); i++) {
            lost += chunks.get(i)[1];
        }
        stray += Math.max(0, received.length - p);
        return new AudioCheck(sent.length, received.length, lost, dup, stray, firstMismatch);
    }

    private static boolean matches(byte[] sent, int[] chunk, byte[] received, int at) {
        int off = chunk[0];
        int len = chunk[1];
        return at + len <= received.length && Arrays.equals(sent, off, off + len, received, at, at + len);
    }

    boolean exact() {
        return firstMismatch == -1;
    }
}
