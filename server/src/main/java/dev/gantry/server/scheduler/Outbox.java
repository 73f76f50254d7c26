package dev.gantry.server.scheduler;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Hands request outcomes over to the executors their listeners name, one task per executor for
 * everything a scheduler call completes.
 *
 * <p>Why: a transport that writes responses on its own threads (gRPC's event loop) is woken once
 * per task it is handed. Delivering the eight responses of a batch one by one wakes it eight
 * times, and on a busy core each wake-up preempts the thread that completed them: two context
 * switches and a separate socket write per response. Collected here, the batch costs one wake-up
 * and one write.
 *
 * <p>Outcomes posted while a thread is inside {@link #collecting} wait until the outermost such
 * call ends; posted anywhere else they are handed over at once. Outcomes for {@link
 * ResponseListener#CALLING_THREAD} always run at once, on the posting thread.
 */
final class Outbox {
  private static final ThreadLocal<Outbox> OPEN = new ThreadLocal<>();

  /** Sized for the usual one or two executors: a default-sized map is a 64-slot table per call. */
  private final Map<Executor, List<Runnable>> pending = new IdentityHashMap<>(2);

  private Outbox() {}

  /** Runs {@code body}, then hands over the outcomes it posted, grouped by executor. */
  static void collecting(Runnable body) {
    if (OPEN.get() != null) {
      body.run();
      return;
    }
    Outbox outbox = new Outbox();
    OPEN.set(outbox);
    try {
      body.run();
    } finally {
      OPEN.set(null);
      outbox.pending.forEach(Outbox::handOver);
    }
  }

  /** Delivers one outcome on {@code executor}: now, or when the enclosing collection ends. */
  static void post(Executor executor, Runnable delivery) {
    if (executor == ResponseListener.CALLING_THREAD) {
      delivery.run();
      return;
    }
    Outbox open = OPEN.get();
    if (open == null) {
      handOver(executor, List.of(delivery));
    } else {
      open.pending.computeIfAbsent(executor, ignored -> new ArrayList<>()).add(delivery);
    }
  }

  /**
   * Hands over what this thread has collected so far, now rather than when its collection ends:
   * for a caller that must have earlier outcomes on their way before it lets another thread
   * release later ones (preserve_ordering).
   */
  static void handOverNow() {
    Outbox open = OPEN.get();
    if (open != null && !open.pending.isEmpty()) {
      open.pending.forEach(Outbox::handOver);
      open.pending.clear();
    }
  }

  /**
   * One task running the deliveries in order; inline if the executor refuses it (shutting down)
   * or fails to take it, so that no outcome is lost.
   */
  private static void handOver(Executor executor, List<Runnable> deliveries) {
    Runnable all = () -> deliveries.forEach(Runnable::run);
    try {
      executor.execute(all);
    } catch (RuntimeException e) {
      all.run();
    }
  }
}
