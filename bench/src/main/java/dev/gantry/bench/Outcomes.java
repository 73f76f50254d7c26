package dev.gantry.bench;

import java.util.concurrent.CompletableFuture;

/**
 * Records the outcome of one request in a {@link WindowRecorder} when it completes: its latency
 * from the time it was due, or its error code. Shared by every driver so that all modes measure
 * alike.
 */
final class Outcomes {
  private Outcomes() {}

  /** Records {@code response} once it completes; returns a future completing after that. */
  static CompletableFuture<Void> track(
      CompletableFuture<ClientTime> response, long dueNanos, WindowRecorder recorder) {
    return response.handle((client, error) -> {
      if (error == null) {
        recorder.succeeded(System.nanoTime() - dueNanos, client);
      } else {
        recorder.failed(ErrorCodes.of(error));
      }
      return null;
    });
  }
}
