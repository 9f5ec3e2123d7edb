package dev.habla.audio;

/**
 * Something audio could not be opened, created or read: a device ({@link AudioDeviceException}) or a file
 * ({@link AudioFileException}). Unchecked, so the factories ({@code DeviceSpeaker.open()}, {@code WavSource.open(..)},
 * ...) can be called inside {@code Consumer<Builder>} lambdas such as {@code VoiceLoop.start(client, c -> c
 * .microphone(JavaSoundMicrophone.open()))}. The message is one line meant for a person.
 */
public class AudioException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AudioException(String message) {
        super(message);
    }

    public AudioException(String message, Throwable cause) {
        super(message, cause);
    }
}
