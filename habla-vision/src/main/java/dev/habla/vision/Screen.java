package dev.habla.vision;

import dev.habla.vision.internal.RobotScreen;
import java.awt.AWTException;
import java.awt.GraphicsDevice;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The screen as a video source, through {@code java.awt.Robot}: the whole (primary) screen, one monitor, or a
 * region. Needs a display: a headless JVM or a missing {@code DISPLAY} gives {@code VisionException(HEADLESS)}.
 */
public final class Screen {
    private static final Pattern GEOMETRY = Pattern.compile("(\\d+)x(\\d+)(?:\\+(\\d+)\\+(\\d+))?");
    private static final Pattern XYWH = Pattern.compile("(\\d+),(\\d+),(\\d+),(\\d+)");
    private static final Pattern MONITOR = Pattern.compile("(?:monitor:)?(\\d)");

    private Screen() {}

    /**
     * Opens a screen source by a user's spec: null, empty or {@code all} for the primary screen; {@code monitor:N}
     * (or {@code N}) for monitor N (0-based); {@code WxH+X+Y} or {@code X,Y,W,H} for a region (of the virtual screen).
     *
     * @throws VisionException {@code HEADLESS}, {@code BAD_REGION}
     */
    public static VideoSource open(String spec) {
        String s = spec == null ? "" : spec.strip();
        GraphicsDevice[] screens = screens();
        if (s.isEmpty() || s.equals("all") || s.equals("default")) {
            return robot(screens[0], screens[0].getDefaultConfiguration().getBounds());
        }
        Matcher m;
        if ((m = MONITOR.matcher(s)).matches()) {
            int n = Integer.parseInt(m.group(1));
            if (n >= screens.length) {
                throw new VisionException(VisionException.Kind.BAD_REGION, "no monitor " + n + " (there are " + screens.length + ", from 0)");
            }
            return robot(screens[n], screens[n].getDefaultConfiguration().getBounds());
        }
        Rectangle r;
        if ((m = GEOMETRY.matcher(s)).matches()) {
            r = new Rectangle(m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                    Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } else if ((m = XYWH.matcher(s)).matches()) {
            r = new Rectangle(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        } else {
            throw new VisionException(VisionException.Kind.BAD_REGION, "bad screen region '" + s
                    + "': use all, monitor:N, WxH+X+Y or X,Y,W,H");
        }
        Rectangle all = new Rectangle();
        for (GraphicsDevice d : screens) {
            all = all.union(d.getDefaultConfiguration().getBounds());
        }
        if (r.width <= 0 || r.height <= 0 || !all.contains(r)) {
            throw new VisionException(VisionException.Kind.BAD_REGION, "region " + s + " is not inside the screen ("
                    + all.width + "x" + all.height + "+" + all.x + "+" + all.y + ")");
        }
        return robot(screens[0], r);
    }

    private static GraphicsDevice[] screens() {
        if (GraphicsEnvironment.isHeadless()) {
            throw headless(null);
        }
        try {
            GraphicsDevice[] d = GraphicsEnvironment.getLocalGraphicsEnvironment().getScreenDevices();
            if (d.length == 0) {
                throw headless(null);
            }
            return d;
        } catch (java.awt.HeadlessException | java.awt.AWTError e) {
            throw headless(e);
        }
    }

    private static VideoSource robot(GraphicsDevice device, Rectangle area) {
        try {
            return new RobotScreen(new Robot(device), area);
        } catch (AWTException | java.awt.HeadlessException e) {
            throw headless(e);
        }
    }

    private static VisionException headless(Throwable cause) {
        return new VisionException(VisionException.Kind.HEADLESS, "no display to capture (headless"
                + (System.getenv("DISPLAY") == null && !System.getProperty("os.name", "").startsWith("Windows")
                    && !System.getProperty("os.name", "").startsWith("Mac") ? ": DISPLAY is not set" : "")
                + "); use --camera or --image instead", cause);
    }
}
