package dev.habla.cli;

import dev.habla.audio.AudioFileException;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import dev.habla.audio.WavWriter;
import dev.habla.client.LiveEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's answer audio (voice mode): plays it on the speaker and saves each answer in its own WAV file.
 *
 * <p>Threads: owned by {@link Conversation}; every method is called under its lock (the session's event thread, the
 * main thread, JLine's signal thread), which guards {@link #wav} and {@link #warnedRate}.
 */
final class AnswerAudio {

    /** The chat's logger (its warnings keep the name they had before this class was split off). */
    private static final Logger log = LoggerFactory.getLogger(Conversation.class);

    /** Voice mode: where answers play (a NullSink when not played); null in text mode. */
    private final AudioSink speaker;
    /** Voice mode: where answers are saved; null in text mode. */
    private final AudioFiles audioFiles;
    private final CliContext ctx;
    /** The WAV file of the answer being received (voice mode), or null. */
    private WavWriter wav;
    /** Warned once about audio the speaker cannot play. */
    private boolean warnedRate;

    /** A finished answer's file. */
    record Saved(Path path, Duration length) {}

    AnswerAudio(AudioSink speaker, AudioFiles audioFiles, CliContext ctx) {
        this.speaker = speaker;
        this.audioFiles = audioFiles;
        this.ctx = ctx;
    }

    /** Voice mode: answers' audio is played and saved. */
    boolean saving() {
        return audioFiles != null;
    }

    /** Silences the speaker (what it still holds is dropped). */
    void flushSpeaker() {
        if (speaker != null) {
            speaker.flush();
        }
    }

    /** Waits (bounded) until the speaker has played what it holds. */
    void drainSpeaker(Duration timeout) throws InterruptedException {
        if (speaker != null) {
            speaker.drain(timeout);
        }
    }

    void write(LiveEvent.AudioChunk a) {
        int rate = a.sampleRate() > 0 ? a.sampleRate() : AudioFormat.PCM_24K_MONO.sampleRate();
        if (speaker != null) {
            if (rate == speaker.format().sampleRate()) {
                speaker.write(a.pcm());
            } else if (!warnedRate) {
                warnedRate = true;
                log.warn("Not playing {} Hz audio on a {} Hz speaker", rate, speaker.format().sampleRate());
            }
        }
        try {
            if (wav == null) {
                wav = WavWriter.create(audioFiles.nextFile(), AudioFormat.mono(rate));
            }
            wav.write(a.pcm());
        } catch (IOException | AudioFileException e) {
            // In words: the JDK's file exceptions say only the path, and their class name the rest.
            String why = e instanceof IOException io ? SessionArgs.why(io)
                    : e.getCause() instanceof IOException io ? SessionArgs.why(io) : e.getMessage();
            log.warn("Could not save the answer's audio in {}: {}", ctx.display(audioFiles.dir()), why);
            closeWav(true);
        }
    }

    /** The answer is over: closes its file; null if it had no audio. */
    Saved finish() {
        if (wav == null) {
            return null;
        }
        Saved saved = new Saved(wav.path(), wav.duration());
        closeWav(false);
        return saved;
    }

    void closeWav(boolean quietly) {
        if (wav == null) {
            return;
        }
        try {
            wav.close();
        } catch (IOException e) {
            if (!quietly) {
                log.warn("Could not finish {}: {}", ctx.display(wav.path()), SessionArgs.why(e));
            }
        } finally {
            wav = null;
        }
    }
}
