package dev.gantry.client;

import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Waits for a call's future on behalf of a blocking method.
 *
 * <p>Blocking calls run as asynchronous ones so that retries, deadlines and cancellation work one
 * way; this turns the wait back into a plain return or an {@link InferenceClientException} thrown
 * with the caller's stack, and cancels the call if the waiting thread is interrupted.
 */
final class Blocking {
  private Blocking() {}

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new InferenceClientException(Status.Code.CANCELLED, "interrupted while waiting", e);
    } catch (ExecutionException e) {
      throw InferenceClientException.from(e.getCause()).rethrownHere();
    }
  }
}
