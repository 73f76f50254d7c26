package dev.gantry.bench;

import java.time.Duration;

/** Keeps one load level's requests going, from {@link #start} until {@link #stop}. */
interface LoadDriver {
  void start();

  /** Stops sending and waits, at most {@code drain}, for the requests in flight. */
  void stop(Duration drain);
}
