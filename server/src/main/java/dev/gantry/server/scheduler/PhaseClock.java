package dev.gantry.server.scheduler;

import dev.gantry.spi.ComputePhases;

/**
 * Records the instants a backend marks during one execution, to split it into its three phases
 * (inputs in, inference, outputs out) for the statistics.
 */
final class PhaseClock implements ComputePhases {
  private final Ticker ticker;
  private final long start;
  private volatile long inputsReady;
  private volatile long inferenceDone;

  PhaseClock(Ticker ticker, long start) {
    this.ticker = ticker;
    this.start = start;
  }

  @Override
  public void inputsReady() {
    inputsReady = ticker.nanoTime();
  }

  @Override
  public void inferenceDone() {
    inferenceDone = ticker.nanoTime();
  }

  /** When the execution started. */
  long start() {
    return start;
  }

  long inputNanos() {
    return inputsReady == 0 ? 0 : inputsReady - start;
  }

  long inferNanos() {
    return inferenceDone == 0 || inputsReady == 0 ? 0 : inferenceDone - inputsReady;
  }

  long outputNanos(long end) {
    return inferenceDone == 0 ? 0 : end - inferenceDone;
  }
}
