package dev.gantry.server.scheduler;

import dev.gantry.server.error.GantryException;
import dev.gantry.spi.Tensor;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Receives the outcome of one request, exactly once: its outputs, or the error that ended it.
 * Called on {@link #executor()}, or else from a scheduler or timer thread, so implementations must
 * not block.
 */
public interface ResponseListener {
  /** Runs a task on the thread that hands it over. */
  Executor CALLING_THREAD = Runnable::run;

  /**
   * Where the scheduler calls this listener. The outcomes of one batch bound for the same executor
   * reach it as one task, so a transport that writes responses on its own threads is woken once
   * per batch rather than once per response. By default, the thread that completes the request.
   */
  default Executor executor() {
    return CALLING_THREAD;
  }

  void onResponse(Map<String, Tensor> outputs);

  void onError(GantryException error);

  /**
   * The scheduler no longer reads the request's inputs, so the memory they are views of may be
   * reused. Called once, on a scheduler, timer or transport thread, before or after the outcome;
   * it must not block. An outcome may come after it, so {@link #onResponse} and {@link #onError}
   * must not read the request's inputs. By default, nothing to do.
   */
  default void inputsReleased() {}
}
