package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Part;
import dev.habla.protocol.Content;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default brain answers "what do you see": the last frame's size, its dominant colour, frames since the last turn. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SeeingTest {
    LiveEmulator emu;

    @BeforeEach
    void start() {
        emu = LiveEmulator.create();
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    static byte[] image(String format, int w, int h, Color colour, Color patch) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, w, h);
        g.setColor(patch);
        g.fillRect(0, 0, w / 4, h / 4);   // a minority colour must not win
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).isTrue();
        return out.toByteArray();
    }

    @Test
    void namesSizeColourAndFrameCountAndRemembersAStillScene() throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText("what do you see?"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I see nothing: no image or video frame arrived yet.");
            for (int i = 0; i < 11; i++) {   // more than TurnInput.MAX_IMAGES: all are counted
                c.send(ClientMessage.RealtimeInput.ofVideo("image/jpeg", image("jpg", 320, 200, Color.RED, Color.BLUE)));
            }
            c.send(ClientMessage.RealtimeInput.ofVideo("image/png", image("png", 640, 480, new Color(20, 40, 230), Color.YELLOW)));
            c.send(ClientMessage.ClientContent.userText("What do you SEE?"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I see a 640x480 image, mostly blue; 12 frames since your last turn.");
            // Nothing new (a still scene is sent once): the last frame is still what it sees.
            c.send(ClientMessage.ClientContent.userText("¿qué ves ahora?"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I see a 640x480 image, mostly blue; 0 frames since your last turn.");
            // An image attached to a message counts too.
            c.send(new ClientMessage.ClientContent(List.of(new Content(List.of(Part.ofText("see this"),
                    Part.ofInlineData("image/jpeg", image("jpg", 100, 50, Color.GREEN, Color.RED))), "user")), true));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I see a 100x50 image, mostly green; 1 frame since your last turn.");
            c.send(ClientMessage.ClientContent.userText("seems fine"));   // "see" as a word only
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: seems fine");
        }
    }

    @Test
    void aFrameItCannotReadIsNamedAndANonImageVideoBlobIsRefused() throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            // video/* (and image types ImageIO has no reader for) are taken unjudged, as the service takes them.
            c.send(ClientMessage.RealtimeInput.ofVideo("video/mp4", new byte[] {1, 2, 3}));
            c.send(ClientMessage.ClientContent.userText("what do you see"));
            assertThat(Fixtures.text(c.untilTurnComplete()))
                    .isEqualTo("I cannot see the last frame: its video/mp4 data is not a decodable image; 1 frame since your last turn.");
            c.send(new ClientMessage.RealtimeInput(null, null, null, new Blob("text/plain", new byte[] {65}),
                    null, null, null));
            assertThat(c.awaitClose()).isEqualTo(new RawClient.Closed(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_INVALID_ARGUMENT));
        }
    }

    @Test
    void undecodableImageDataIsRefusedWhenItArrives() throws Exception {
        byte[] jpeg = image("jpg", 64, 48, Color.RED, Color.BLUE);
        byte[] png = image("png", 64, 48, Color.RED, Color.BLUE);
        byte[] truncatedJpeg = java.util.Arrays.copyOf(jpeg, jpeg.length / 2);   // header intact, scan data cut
        Map<String, ClientMessage> broken = new LinkedHashMap<>();
        broken.put("garbage video frame", ClientMessage.RealtimeInput.ofVideo("image/jpeg", new byte[] {1, 2, 3}));
        broken.put("empty video frame", ClientMessage.RealtimeInput.ofVideo("image/png", new byte[0]));
        broken.put("truncated JPEG video frame", ClientMessage.RealtimeInput.ofVideo("image/jpeg", truncatedJpeg));
        broken.put("JPEG without its last bytes", ClientMessage.RealtimeInput.ofVideo("image/jpeg", java.util.Arrays.copyOf(jpeg, jpeg.length - 2)));
        broken.put("truncated PNG media chunk", new ClientMessage.RealtimeInput(List.of(new Blob("image/png",
                java.util.Arrays.copyOf(png, png.length / 2))), null, null, null, null, null, null));
        broken.put("truncated JPEG inline part", new ClientMessage.ClientContent(List.of(new Content(List.of(Part.ofText("see this"),
                Part.ofInlineData("image/jpeg", truncatedJpeg)), "user")), true));
        for (Map.Entry<String, ClientMessage> e : broken.entrySet()) {
            try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
                c.send(e.getValue());
                // Refused on arrival: no turn needs to look at the frame first.
                assertThat(c.awaitClose()).as(e.getKey())
                        .isEqualTo(new RawClient.Closed(CloseCodes.INVALID_ARGUMENT, CloseCodes.REASON_BAD_IMAGE));
            }
        }
        // The same images whole are accepted, whatever ImageIO format the data is in.
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.RealtimeInput.ofVideo("image/jpeg", jpeg));
            c.send(ClientMessage.RealtimeInput.ofVideo("image/jpeg", png));   // a PNG labelled JPEG still decodes
            c.send(new ClientMessage.ClientContent(List.of(new Content(List.of(Part.ofText("what do you see?"),
                    Part.ofInlineData("image/jpeg", jpeg)), "user")), true));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I see a 64x48 image, mostly red; 3 frames since your last turn.");
        }
    }
}
