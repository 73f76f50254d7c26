package dev.gantry.bench;

import dev.gantry.client.InferenceClient;
import java.util.concurrent.CompletableFuture;

/**
 * Issues ServerLive calls ({@code --rpc live}): the cheapest RPC a server answers, whose throughput
 * is the ceiling that the transport and the gRPC stack allow before any model runs. Blocking, so
 * only sync mode drives it.
 */
final class LiveIssuer implements RequestIssuer {
  private final InferenceClient client;

  LiveIssuer(InferenceClient client) {
    this.client = client;
  }

  @Override
  public CompletableFuture<ClientTime> issue(long sequence) {
    try {
      return client.isServerLive()
          ? CompletableFuture.completedFuture(ClientTime.NONE)
          : RequestIssuer.failed(new NotLiveException());
    } catch (RuntimeException e) {
      return RequestIssuer.failed(e);
    }
  }
}
