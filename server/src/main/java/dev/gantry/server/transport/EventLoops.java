package dev.gantry.server.transport;

import dev.gantry.server.scheduler.ResponseListener;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.Executor;

/**
 * The Netty event loop a call arrived on, as the executor its outcome is delivered on.
 *
 * <p>gRPC writes a response on the call's event loop whatever thread sends it, waking the loop for
 * each response sent from elsewhere. Delivering a batch's outcomes to the loop as one task (see
 * {@link ResponseListener#executor()}) costs one wake-up and one socket write per batch instead.
 * Netty records the loop running the current thread in {@code ThreadExecutorMap}; off an event
 * loop (an in-process transport) there is none and outcomes are delivered where they complete.
 */
final class EventLoops {
  private EventLoops() {}

  /** The event loop running this thread, or {@link ResponseListener#CALLING_THREAD}. */
  static Executor current() {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    return loop != null ? loop : ResponseListener.CALLING_THREAD;
  }
}
