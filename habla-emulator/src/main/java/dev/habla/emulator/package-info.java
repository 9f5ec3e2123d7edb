/**
 * A local, wire-faithful Gemini Live API server for tests: {@link dev.habla.emulator.LiveEmulator}, its default
 * deterministic brain, {@link dev.habla.emulator.Script}s and {@link dev.habla.emulator.Fault}s, driven by an
 * {@link dev.habla.emulator.EmulatorClock} ({@link dev.habla.emulator.FakeClock} in tests).
 */
package dev.habla.emulator;
