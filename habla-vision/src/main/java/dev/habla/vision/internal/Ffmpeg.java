package dev.habla.vision.internal;

import dev.habla.vision.VisionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Where ffmpeg is, how each platform names its camera input, and how to list cameras. Stateless. */
public final class Ffmpeg {
    public enum Platform { LINUX, MAC, WINDOWS }

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
    private static final Pattern AVF_VIDEO = Pattern.compile("\\[(\\d+)\\] (.+)");

    private Ffmpeg() {}

    /** {@code HABLA_FFMPEG} if set, else {@code ffmpeg} from the PATH. */
    public static String executable() {
        String env = System.getenv("HABLA_FFMPEG");
        return env == null || env.isBlank() ? "ffmpeg" : env;
    }

    public static Platform platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return os.contains("mac") ? Platform.MAC : os.contains("win") ? Platform.WINDOWS : Platform.LINUX;
    }

    /** ffmpeg input options for the platform's camera {@code device} (null: the first camera). */
    public static List<String> cameraInput(Platform p, String device) {
        return switch (p) {
            case LINUX -> {
                String dev = device == null ? "/dev/video0" : device.startsWith("/") ? device : "/dev/video" + device;
                if (!Files.exists(Path.of(dev))) {
                    List<String> found = linuxDevices();
                    throw new VisionException(VisionException.Kind.NO_CAMERA, "no camera at " + dev + (found.isEmpty()
                            ? " (this machine has no /dev/video* device)" : " (cameras: " + String.join(", ", found) + ")"));
                }
                yield List.of("-f", "v4l2", "-i", dev);
            }
            case MAC -> List.of("-f", "avfoundation", "-framerate", "30", "-i", device == null ? "0" : device);
            case WINDOWS -> {
                if (device == null) {
                    List<String> found = devices(p);
                    if (found.isEmpty()) {
                        throw new VisionException(VisionException.Kind.NO_CAMERA, "no camera found by ffmpeg's dshow input");
                    }
                    device = found.getFirst();
                }
                yield List.of("-f", "dshow", "-i", "video=" + device);
            }
        };
    }

    /** The cameras of this machine, by the name {@code cameraInput} takes. */
    public static List<String> devices(Platform p) {
        return switch (p) {
            case LINUX -> linuxDevices();
            case MAC -> parseAvfoundation(listing(List.of("-f", "avfoundation", "-list_devices", "true", "-i", "")));
            case WINDOWS -> parseDshow(listing(List.of("-list_devices", "true", "-f", "dshow", "-i", "dummy")));
        };
    }

    static List<String> linuxDevices() {
        try (Stream<Path> s = Files.list(Path.of("/dev"))) {
            return s.map(Path::toString).filter(n -> n.matches("/dev/video\\d+")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** avfoundation lists video devices first, then audio ones, as {@code [index] name}. */
    static List<String> parseAvfoundation(String stderr) {
        List<String> out = new ArrayList<>();
        boolean video = false;
        for (String line : stderr.split("\\R")) {
            if (line.contains("video devices")) {
                video = true;
            } else if (line.contains("audio devices")) {
                video = false;
            } else if (video) {
                Matcher m = AVF_VIDEO.matcher(line.substring(line.indexOf(']') + 1).strip());
                if (m.find()) {
                    out.add(m.group(1) + ": " + m.group(2));
                }
            }
        }
        return out;
    }

    /** dshow lists {@code "name" (video)} lines (ffmpeg 5+). */
    static List<String> parseDshow(String stderr) {
        List<String> out = new ArrayList<>();
        for (String line : stderr.split("\\R")) {
            Matcher m = QUOTED.matcher(line);
            if (line.contains("(video)") && m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static String listing(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(executable(), "-hide_banner"));
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            byte[] err = p.getErrorStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
            return new String(err, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VisionException(VisionException.Kind.NO_FFMPEG, "cannot run ffmpeg (" + executable() + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
