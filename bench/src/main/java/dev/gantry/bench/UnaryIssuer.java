package dev.gantry.bench;

import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Issues unary ModelInfer calls through {@link InferenceClient#inferAsync}; the sync mode waits on
 * each future, the async mode keeps several in flight. The time spent inside {@code inferAsync}
 * (serialising the request and handing it to the transport) is the client's send time.
 */
final class UnaryIssuer implements RequestIssuer {
  private final InferenceClient client;
  private final List<InferRequest> requests;

  UnaryIssuer(InferenceClient client, List<InferRequest> requests) {
    this.client = client;
    this.requests = List.copyOf(requests);
  }

  @Override
  public CompletableFuture<ClientTime> issue(long sequence) {
    InferRequest request = requests.get((int) Math.floorMod(sequence, (long) requests.size()));
    long start = System.nanoTime();
    CompletableFuture<InferResult> response;
    try {
      response = client.inferAsync(request);
    } catch (RuntimeException e) {
      return RequestIssuer.failed(e);
    }
    long send = System.nanoTime() - start;
    return response.thenApply(result -> new ClientTime(send, InferRequests.read(result)));
  }
}
