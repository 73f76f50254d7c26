package dev.gantry.server.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * One timer for the instants of many queued requests (their deadlines, or their DELAY
 * demotions), armed only for the earliest.
 *
 * <p>Why: a timer per request costs a locked heap insert and a cancellation on every request, and
 * wakes the timer thread whenever a request's timer becomes the first; yet most requests leave
 * the queue long before their instant. Here a request joins a sorted set under the scheduler's
 * lock, and the timer is re-armed only when a request's instant is earlier than the armed one.
 * Requests that leave the queue just leave the set; a timer that rings with nothing due is
 * re-armed for the new earliest instant.
 *
 * <p>Not thread-safe: the scheduler calls every method under its lock, and {@code ring} must take
 * that lock before calling {@link #due}.
 */
final class Alarm {
  private final ScheduledExecutorService timer;
  private final Runnable ring;
  private final ToLongFunction<InferenceRequest> instantOf;
  private final TreeSet<InferenceRequest> pending;
  private ScheduledFuture<?> armed;
  private long armedAt;

  /**
   * @param timer where the ring runs
   * @param ring what runs when the armed instant comes: it takes the lock and calls {@link #due}
   * @param instantOf each request's instant, fixed while it is pending
   */
  Alarm(ScheduledExecutorService timer, Runnable ring, ToLongFunction<InferenceRequest> instantOf) {
    this.timer = timer;
    this.ring = ring;
    this.instantOf = instantOf;
    this.pending = new TreeSet<>(Comparator.comparingLong(instantOf)
        .thenComparingLong(InferenceRequest::sequence));
  }

  /** Watches a queued request; {@code nowNanos} is the scheduler's clock. */
  void add(InferenceRequest request, long nowNanos) {
    pending.add(request);
    long instant = instantOf.applyAsLong(request);
    if (armed == null || instant - armedAt < 0) {
      arm(instant, nowNanos);
    }
  }

  /** Stops watching a request that left the queue; the armed timer is left as it is. */
  void remove(InferenceRequest request) {
    pending.remove(request);
  }

  void clear() {
    pending.clear();
  }

  /** Removes and returns the requests whose instant has come, and arms for the next one. */
  List<InferenceRequest> due(long nowNanos) {
    if (armed != null) {
      armed.cancel(false);
      armed = null;
    }
    List<InferenceRequest> due = new ArrayList<>();
    while (!pending.isEmpty() && instantOf.applyAsLong(pending.first()) - nowNanos <= 0) {
      due.add(pending.pollFirst());
    }
    if (!pending.isEmpty()) {
      arm(instantOf.applyAsLong(pending.first()), nowNanos);
    }
    return due;
  }

  /** Stops the timer for good, when the scheduler stops. */
  void cancel() {
    pending.clear();
    if (armed != null) {
      armed.cancel(false);
      armed = null;
    }
  }

  private void arm(long instant, long nowNanos) {
    if (armed != null) {
      armed.cancel(false);
    }
    try {
      armed = timer.schedule(ring, Math.max(0, instant - nowNanos), TimeUnit.NANOSECONDS);
      armedAt = instant;
    } catch (RejectedExecutionException e) {
      armed = null;
    }
  }
}
