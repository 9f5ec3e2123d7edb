package dev.habla.vision.internal;

import dev.habla.vision.VideoSource;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;

/** The screen (or a region of it) through {@code java.awt.Robot}: each grab is a capture now. Grabbed by one thread. */
public final class RobotScreen implements VideoSource {
    private final Robot robot;
    private final Rectangle area;
    private volatile boolean closed;

    public RobotScreen(Robot robot, Rectangle area) {
        this.robot = robot;
        this.area = new Rectangle(area);
    }

    @Override
    public BufferedImage grab() {
        return closed ? null : robot.createScreenCapture(area);
    }

    @Override
    public String describe() {
        return "screen " + area.x + "," + area.y + " " + area.width + "x" + area.height;
    }

    @Override
    public void close() {
        closed = true;
    }
}
