package dev.habla.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The directory where voice answers are saved as {@code audio_<n>.wav}: created on demand, optionally cleared of old
 * {@code audio_*.wav} files (like the original Python script), otherwise numbered on after the highest existing n.
 * Used from the session's listener thread only.
 */
final class AudioFiles {
    private static final Pattern NUMBERED = Pattern.compile("audio_(\\d{1,9})\\.wav");

    private final Path dir;
    private int next;

    private AudioFiles(Path dir, int next) {
        this.dir = dir;
        this.next = next;
    }

    /**
     * Prepares {@code dir}.
     *
     * @param clear delete every {@code audio_*.wav} in it first
     * @throws IOException if the directory cannot be created or listed, or a file cannot be deleted
     */
    static AudioFiles open(Path dir, boolean clear) throws IOException {
        Files.createDirectories(dir);
        int highest = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "audio_*.wav")) {
            for (Path f : files) {
                if (clear) {
                    Files.deleteIfExists(f);
                    continue;
                }
                Matcher m = NUMBERED.matcher(f.getFileName().toString());
                if (m.matches()) {
                    highest = Math.max(highest, Integer.parseInt(m.group(1)));
                }
            }
        }
        return new AudioFiles(dir, highest + 1);
    }

    /** The path for the next answer; each call moves on by one. */
    Path nextFile() {
        return dir.resolve("audio_" + next++ + ".wav");
    }

    Path dir() {
        return dir;
    }
}
