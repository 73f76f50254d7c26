package dev.gantry.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Feeds a {@link Sender} from one thread: as fast as it takes requests (closed loop, when there is
 * no schedule: the sender's limit of outstanding requests is the concurrency), or each request at
 * its scheduled time (open loop, {@code --request-rate-range}).
 */
final class PushLoop implements LoadDriver {
  private final Sender sender;
  private final Schedule schedule;
  private final RunLimits limits;
  private final Thread thread;
  private volatile boolean running;

  /** @param schedule when requests fall due; {@code null} for a closed loop */
  PushLoop(Sender sender, Schedule schedule, RunLimits limits) {
    this.sender = sender;
    this.schedule = schedule;
    this.limits = limits;
    this.thread = new Thread(this::run, "bench-push");
    thread.setDaemon(true);
  }

  @Override
  public void start() {
    running = true;
    thread.start();
  }

  private void run() {
    long next = System.nanoTime();
    for (long sequence = 0; running && limits.allows(sequence); sequence++) {
      long due = Sender.NOW;
      if (schedule != null) {
        next += schedule.nextGapNanos();
        if (!sleepUntil(next)) {
          return;
        }
        due = next;
      }
      if (!sender.send(sequence, due)) {
        return;
      }
    }
  }

  /** Parks until {@code time}, waking early only to stop; returns whether to go on. */
  private boolean sleepUntil(long time) {
    long left = time - System.nanoTime();
    while (left > 0) {
      if (!running || limits.expired()) {
        return false;
      }
      LockSupport.parkNanos(Math.min(left, 10_000_000));
      left = time - System.nanoTime();
    }
    return running;
  }

  @Override
  public void stop(Duration drain) {
    running = false;
    long start = System.nanoTime();
    Joins.joinAll(List.of(thread), drain);
    sender.stop(drain.minusNanos(Math.min(drain.toNanos(), System.nanoTime() - start)));
  }
}
