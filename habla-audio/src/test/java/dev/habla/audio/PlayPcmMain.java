package dev.habla.audio;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Child-process helper for {@link AlsaFileDeviceTest}: plays a raw 24 kHz mono PCM file on the default device with
 * {@link DeviceSpeaker} and waits until it has been played. Exit 0 when played, 3 when there is no device.
 */
public final class PlayPcmMain {
    private PlayPcmMain() {}

    public static void main(String[] args) throws Exception {
        byte[] pcm = Files.readAllBytes(Path.of(args[0]));
        try (DeviceSpeaker speaker = DeviceSpeaker.open()) {
            if (!speaker.format().equals(AudioFormat.PCM_24K_MONO)) {
                System.err.println("the device plays " + speaker.format() + ", not 24 kHz mono");
                System.exit(5);
            }
            // Several writes, as a stream of chunks from the socket would be.
            for (int at = 0; at < pcm.length; at += 4_800) {
                speaker.write(java.util.Arrays.copyOfRange(pcm, at, Math.min(pcm.length, at + 4_800)));
            }
            if (!speaker.drain(Duration.ofSeconds(20))) {
                System.err.println("not drained");
                System.exit(4);
            }
            System.out.println("played on " + speaker.deviceName() + ", dropped " + speaker.droppedBytes());
        } catch (AudioDeviceException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
    }
}
