package dev.gantry.server.scheduler;

/** A source of monotonic nanoseconds, replaceable so that scheduling can be tested exactly. */
@FunctionalInterface
public interface Ticker {
  Ticker SYSTEM = System::nanoTime;

  long nanoTime();
}
