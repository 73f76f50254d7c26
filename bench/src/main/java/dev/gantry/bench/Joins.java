package dev.gantry.bench;

import java.time.Duration;
import java.util.List;

/** Waits for threads to end within one shared time budget, so that stopping is always bounded. */
final class Joins {
  private Joins() {}

  /** Joins each thread until the budget is spent; returns whether all ended. */
  static boolean joinAll(List<Thread> threads, Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        thread.join(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return threads.stream().noneMatch(Thread::isAlive);
  }
}
