package dev.gantry.server.transport;

import dev.gantry.server.memory.DirectBufferPool;

/**
 * One call's hold on the lent memory its latest request was parsed into, until the code that
 * queues the request takes the loan over (and gives it back when the scheduler releases the
 * request's inputs).
 *
 * <p>The loan travels on the transport's thread in three steps: the marshaller leaves it with the
 * thread ({@link #parsed}); the call's guard, handed the same message at once, picks it up for the
 * call ({@link #arrived}); and while the guard passes the call's events on ({@link #during}), the
 * dispatcher takes it ({@link #take}). A loan that nobody took is given back when the call
 * is done with the message: at the next message, at half-close, or when the call ends. A loan
 * whose message never reached the guard (an interceptor kept it) is never reused, only collected
 * with the message, since something may still read it.
 *
 * <p>A call's events come one at a time, so a call's hold needs no lock. The thread-locals are
 * cleared by setting null rather than removed: they live on the transport's few long-lived
 * threads, and removing and re-adding the entry on every event costs more than the entry.
 */
final class RequestMemory {
  private static final ThreadLocal<AliasingParsing.Lent<?>> justParsed = new ThreadLocal<>();
  private static final ThreadLocal<RequestMemory> current = new ThreadLocal<>();

  private AliasingParsing.Lent<?> untaken;

  /** The marshaller parsed a message into lent memory on this thread. */
  static void parsed(AliasingParsing.Lent<?> lent) {
    justParsed.set(lent);
  }

  /**
   * The call received {@code message}: the loan it was parsed into, if this thread parsed it last,
   * is now the call's; a loan of the call's previous message that nobody took is given back.
   */
  void arrived(Object message) {
    giveBackUntaken();
    AliasingParsing.Lent<?> lent = justParsed.get();
    if (lent != null) {
      justParsed.set(null);
      if (lent.message() == message) {
        untaken = lent;
      }
    }
  }

  /**
   * Runs one of the call's events with this call's hold current on this thread. With nothing held
   * (a small message, or a loan already taken) and no other call's event around it, there is
   * nothing to take and nothing to hide, so it just runs.
   */
  void during(Runnable event) {
    RequestMemory outer = current.get();
    if (untaken == null && outer == null) {
      event.run();
      return;
    }
    current.set(this);
    try {
      event.run();
    } finally {
      current.set(outer);
    }
  }

  /** Gives back the loan of the call's message if nobody took it. */
  void giveBackUntaken() {
    if (untaken != null) {
      untaken.loan().giveBack();
      untaken = null;
    }
  }

  /**
   * The loan of {@code message}, which the caller now owns; null when the message is not in lent
   * memory or is not the one the current call event carries.
   */
  static DirectBufferPool.Loan take(Object message) {
    RequestMemory memory = current.get();
    if (memory == null || memory.untaken == null || memory.untaken.message() != message) {
      return null;
    }
    DirectBufferPool.Loan loan = memory.untaken.loan();
    memory.untaken = null;
    return loan;
  }
}
