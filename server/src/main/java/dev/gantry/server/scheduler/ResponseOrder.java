package dev.gantry.server.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * Releases request outcomes in the order the requests were queued, for {@code preserve_ordering};
 * without it, every outcome goes out the moment it is ready.
 *
 * <p>Every queued request completes exactly once (answered, failed, expired or cancelled), so the
 * sequence has no gaps and a held outcome is released as soon as all earlier ones are. Outcomes
 * are released outside the lock, by one thread at a time, so that delivering a response never
 * holds up the threads that complete other requests (the timer, the transport). Outcomes bound
 * for an executor are handed to it before another thread may release later ones, so that each
 * executor receives them in order.
 */
final class ResponseOrder {
  private final boolean preserve;
  private final Map<Long, Runnable> held = new HashMap<>();
  private long next;
  private boolean delivering;

  ResponseOrder(boolean preserve) {
    this.preserve = preserve;
  }

  /** Delivers the outcome of the request queued {@code sequence}-th, now or when its turn comes. */
  void complete(long sequence, Runnable delivery) {
    if (!preserve) {
      delivery.run();
      return;
    }
    synchronized (this) {
      held.put(sequence, delivery);
      if (delivering) {
        return;
      }
      delivering = true;
    }
    while (true) {
      Runnable due;
      synchronized (this) {
        due = held.remove(next);
        if (due != null) {
          next++;
        }
      }
      if (due != null) {
        due.run();
        continue;
      }
      Outbox.handOverNow();
      synchronized (this) {
        if (!held.containsKey(next)) {
          delivering = false;
          return;
        }
      }
    }
  }
}
