package dev.gantry.bench;

import dev.gantry.client.InferenceClient;
import dev.gantry.proto.InferBatchStatistics;
import dev.gantry.proto.InferStatistics;
import dev.gantry.proto.ModelStatistics;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a model's statistics from a server's ModelStatistics RPC, summed over the versions it
 * returns, for servers that list the {@code statistics} extension in ServerMetadata.
 */
final class RemoteStats implements StatsSource {
  private final InferenceClient client;
  private final String model;
  private final String version;

  RemoteStats(InferenceClient client, String model, String version) {
    this.client = client;
    this.model = model;
    this.version = version;
  }

  @Override
  public ServerStats snapshot() {
    ServerStats total = ServerStats.ZERO;
    for (ModelStatistics statistics : client.modelStatistics(model, version)) {
      total = total.plus(of(statistics));
    }
    return total;
  }

  static ServerStats of(ModelStatistics statistics) {
    InferStatistics stats = statistics.getInferenceStats();
    Map<Long, Long> bySize = new HashMap<>();
    for (InferBatchStatistics batch : statistics.getBatchStatsList()) {
      bySize.merge(batch.getBatchSize(), batch.getComputeInfer().getCount(), Long::sum);
    }
    return new ServerStats(
        stats.getSuccess().getCount(),
        stats.getSuccess().getNs(),
        stats.getQueue().getCount(),
        stats.getQueue().getNs(),
        stats.getComputeInfer().getCount(),
        stats.getComputeInput().getNs(),
        stats.getComputeInfer().getNs(),
        stats.getComputeOutput().getNs(),
        statistics.getInferenceCount(),
        statistics.getExecutionCount(),
        bySize);
  }
}
