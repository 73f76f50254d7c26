package dev.gantry.server.scheduler;

/**
 * Told about every execution a scheduler runs; the statistics and metrics are fed through it.
 * Called on the instance thread right after the execution, so it must be quick.
 */
@FunctionalInterface
public interface ExecutionListener {
  ExecutionListener NONE = record -> {};

  void onExecution(ExecutionRecord record);
}
