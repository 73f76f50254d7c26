package dev.gantry.bench;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends requests without waiting for their answers (async and stream modes), holding at most a
 * fixed number outstanding: the concurrency of a closed loop, or {@code --max-outstanding} of an
 * open one.
 */
final class AsyncSender implements Sender {
  private static final long POLL_MILLIS = 10;

  private final RequestIssuer issuer;
  private final int maxOutstanding;
  private final Semaphore slots;
  private final WindowRecorder recorder;
  private final RunLimits limits;
  private volatile boolean running = true;

  AsyncSender(RequestIssuer issuer, int maxOutstanding, WindowRecorder recorder, RunLimits limits) {
    this.issuer = issuer;
    this.maxOutstanding = maxOutstanding;
    this.slots = new Semaphore(maxOutstanding);
    this.recorder = recorder;
    this.limits = limits;
  }

  @Override
  public boolean send(long sequence, long dueNanos) {
    try {
      while (!slots.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (!running || limits.expired()) {
          return false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    if (!running) {
      slots.release();
      return false;
    }
    long now = System.nanoTime();
    recorder.issued(Sender.late(dueNanos, now));
    long due = dueNanos == NOW ? now : dueNanos;
    Outcomes.track(issuer.issue(sequence), due, recorder).whenComplete((ignored, e) -> slots.release());
    return true;
  }

  @Override
  public void stop(Duration drain) {
    running = false;
    try {
      if (slots.tryAcquire(maxOutstanding, drain.toNanos(), TimeUnit.NANOSECONDS)) {
        slots.release(maxOutstanding);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
