package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.LiveEmulator;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code habla chat --image FILE} and the typed {@code /image FILE}: the image goes with the next message, and the emulator sees it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatImageTest {
    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;

    @BeforeEach
    void start() throws Exception {
        emu = LiveEmulator.create(b -> b.port(0));
        image("red.png", "png", 2048, 1024, Color.RED);
        image("blue.jpg", "jpg", 300, 200, Color.BLUE);
        Files.writeString(work.resolve("notes.txt"), "not an image");
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    void image(String name, String format, int w, int h, Color c) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        assertThat(ImageIO.write(img, format, work.resolve(name).toFile())).isTrue();
    }

    CliRun.Result chat(String model, String stdin, String... extra) {
        String[] args = new String[extra.length + 5];
        args[0] = "chat";
        args[1] = "--base-url";
        args[2] = emu.baseUrl();
        args[3] = "--model";
        args[4] = model;
        System.arraycopy(extra, 0, args, 5, extra.length);
        return CliRun.run(work, home, Map.of(), stdin, args);
    }

    @Test
    void anImageFromTheCommandLineAndOneTypedGoWithTheNextMessage() {
        for (String model : new String[] {ChatCommand.EMULATOR_TEXT_MODEL, "gemini-3.1-flash-live-preview"}) {
            CliRun.Result r = chat(model, "what do you see?\nhello\n/image blue.jpg\n/image nothing.png\nwhat do you see now?\nexit\n",
                    "--image", "red.png");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).as(model).contains(
                    "I see a 1024x512 image, mostly red; 1 frame since your last turn.",   // fitted to 1024
                    "You said: hello",
                    "(image attached to your next message: 300x200)",
                    "(no such image file: " + work.resolve("nothing.png") + ")",
                    "I see a 300x200 image, mostly blue; 1 frame since your last turn.");
        }
    }

    @Test
    void aFileThatIsNotAnImageIsAUsageError() {
        CliRun.Result r = chat(ChatCommand.EMULATOR_TEXT_MODEL, "hello\n", "--image", "notes.txt");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--image: " + work.resolve("notes.txt") + " is not an image this JVM can read (readable: ");
    }
}
