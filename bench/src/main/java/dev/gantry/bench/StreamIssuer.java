package dev.gantry.bench;

import dev.gantry.client.InferRequest;
import dev.gantry.client.InferStream;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Issues inferences on one bidirectional ModelStreamInfer stream, opened for one load level and
 * closed after it. {@link InferStream#send} waits while gRPC's flow control holds the stream back;
 * that wait counts as client send time.
 */
final class StreamIssuer implements RequestIssuer {
  private final InferStream stream;
  private final List<InferRequest> requests;
  private final Duration closeTimeout;

  /**
   * @param lifetime the stream's deadline: it is cancelled after this, whatever happens
   * @param closeTimeout how long {@link #close} waits for the server to answer what is in flight
   */
  StreamIssuer(InferenceClient client, List<InferRequest> requests, Duration lifetime,
      Duration closeTimeout) {
    this.stream = client.openStream(lifetime);
    this.requests = List.copyOf(requests);
    this.closeTimeout = closeTimeout;
  }

  @Override
  public CompletableFuture<ClientTime> issue(long sequence) {
    InferRequest request = requests.get((int) Math.floorMod(sequence, (long) requests.size()));
    long start = System.nanoTime();
    CompletableFuture<InferResult> response;
    try {
      response = stream.send(request);
    } catch (RuntimeException e) {
      return RequestIssuer.failed(e);
    }
    long send = System.nanoTime() - start;
    return response.thenApply(result -> new ClientTime(send, InferRequests.read(result)));
  }

  /** Half-closes the stream and waits for the answers in flight; cancels it after the timeout. */
  @Override
  public void close() {
    try {
      stream.closeAsync().get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      stream.cancel();
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      stream.cancel();
    }
  }
}
