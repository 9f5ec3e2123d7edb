/**
 * A local, wire-faithful Gemini Live API server for tests: {@link dev.habla.emulator.LiveEmulator}, its default
 * deterministic brain, {@link dev.habla.emulator.Script}s and {@link dev.habla.emulator.Fault}s, driven by a
 * {@link dev.habla.time.Scheduler} ({@code dev.habla.testing.FakeClock} in tests), and
 * {@link dev.habla.emulator.EmulatorExtension}, the JUnit 5 extension that starts one per test or per class.
 */
package dev.habla.emulator;
