package dev.habla.cli;

import dev.habla.assistant.ServerVad;
import dev.habla.audio.AudioDeviceException;
import dev.habla.audio.AudioFileException;
import dev.habla.audio.AudioFormat;
import dev.habla.audio.AudioSink;
import dev.habla.audio.AudioSource;
import dev.habla.audio.DeviceSpeaker;
import dev.habla.audio.JavaSoundMicrophone;
import dev.habla.audio.WavFormatException;
import dev.habla.audio.WavSink;
import dev.habla.audio.WavSource;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.RealtimeInputConfig.ActivityHandling;
import dev.habla.protocol.RealtimeInputConfig.EndSensitivity;
import dev.habla.protocol.RealtimeInputConfig.StartSensitivity;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ParameterException;

/**
 * {@code habla talk}: turns the command's options into what the session needs: the audio source (--input file or
 * microphone), the audio sink (--output file or speaker), the server VAD settings and the session configuration. Bad
 * options become a {@link ParameterException} (exit 64), a missing device a {@link CliException} with
 * {@link TalkCommand#NO_AUDIO_DEVICE}. Runs on the command's thread, before the loop starts.
 */
final class TalkSetup {

    private final TalkCommand cmd;

    TalkSetup(TalkCommand cmd) {
        this.cmd = cmd;
    }

    AudioSource openSource() {
        if (cmd.input != null) {
            Path file = cmd.ctx.resolve(cmd.input);
            try {
                return WavSource.open(file, cmd.fast ? WavSource.Pacing.FAST : WavSource.Pacing.REAL_TIME,
                        WavSource.DEFAULT_CHUNK, TalkCommand.INPUT_TAIL);
            } catch (WavFormatException e) {
                throw new ParameterException(cmd.spec.commandLine(), "--input " + cmd.input + ": " + e.reason());
            } catch (AudioFileException e) {
                if (e.getCause() instanceof NoSuchFileException) {
                    throw new ParameterException(cmd.spec.commandLine(), "--input " + cmd.input + ": no such file");
                }
                throw new ParameterException(cmd.spec.commandLine(), "cannot read --input " + cmd.input + ": " + ioMessage(e));
            }
        }
        try {
            return JavaSoundMicrophone.open(cmd.inputDevice, AudioFormat.PCM_16K_MONO, JavaSoundMicrophone.DEFAULT_CHUNK);
        } catch (AudioDeviceException e) {
            throw new CliException(TalkCommand.NO_AUDIO_DEVICE, "no microphone: " + e.getMessage() + " (use --input FILE.wav, or see `habla devices`)");
        }
    }

    AudioSink openSink() {
        if (cmd.output != null) {
            Path file = cmd.ctx.resolve(cmd.output);
            try {
                return WavSink.create(file, AudioFormat.PCM_24K_MONO);
            } catch (AudioFileException e) {
                throw new ParameterException(cmd.spec.commandLine(), "cannot write --output " + cmd.output + ": " + ioMessage(e));
            }
        }
        try {
            return DeviceSpeaker.open(cmd.outputDevice, AudioFormat.PCM_24K_MONO);
        } catch (AudioDeviceException e) {
            throw new CliException(TalkCommand.NO_AUDIO_DEVICE, "no speaker: " + e.getMessage() + " (use --output FILE.wav, or see `habla devices`)");
        }
    }

    /** The underlying I/O error's message (what the JDK says about the file), else the exception's own. */
    private static String ioMessage(AudioFileException e) {
        return e.getCause() instanceof IOException io ? SessionArgs.why(io) : e.getMessage();
    }

    ServerVad serverVad() {
        StartSensitivity start = cmd.startSensitivity == null ? null : switch (cmd.startSensitivity.strip().toLowerCase(Locale.ROOT)) {
            case "high" -> StartSensitivity.START_SENSITIVITY_HIGH;
            case "low" -> StartSensitivity.START_SENSITIVITY_LOW;
            default -> throw new ParameterException(cmd.spec.commandLine(), "--start-sensitivity must be high or low, was '"
                    + cmd.startSensitivity + "'");
        };
        EndSensitivity end = cmd.endSensitivity == null ? null : switch (cmd.endSensitivity.strip().toLowerCase(Locale.ROOT)) {
            case "high" -> EndSensitivity.END_SENSITIVITY_HIGH;
            case "low" -> EndSensitivity.END_SENSITIVITY_LOW;
            default -> throw new ParameterException(cmd.spec.commandLine(), "--end-sensitivity must be high or low, was '"
                    + cmd.endSensitivity + "'");
        };
        try {
            return ServerVad.create(v -> v.startSensitivity(start).endSensitivity(end).prefixPaddingMs(cmd.prefixPaddingMs)
                    .silenceDurationMs(cmd.silenceDurationMs).activityHandling(cmd.noInterruption ? ActivityHandling.NO_INTERRUPTION : null));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd.spec.commandLine(), e.getMessage());
        }
    }

    SessionConfig sessionConfig(String modelId, String voiceName, String instruction) {
        try {
            return SessionConfig.create(b -> {
                b.model(modelId);
                if (voiceName != null) {
                    b.voice(voiceName);
                }
                if (instruction != null) {
                    b.systemInstruction(instruction);
                }
            });
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd.spec.commandLine(), e.getMessage(), e, null, null);
        }
    }
}
