package dev.gantry.server.scheduler;

/**
 * Told about every execution a scheduler runs; the statistics and metrics are fed through it.
 * Called right after the execution (on the instance's thread), or when the watchdog gives up on
 * it (on the timer's thread), so it must be quick and thread-safe.
 */
@FunctionalInterface
public interface ExecutionListener {
  ExecutionListener NONE = record -> {};

  void onExecution(ExecutionRecord record);
}
