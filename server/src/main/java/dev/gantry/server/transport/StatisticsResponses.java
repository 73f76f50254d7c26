package dev.gantry.server.transport;

import dev.gantry.proto.InferBatchStatistics;
import dev.gantry.proto.InferStatistics;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.StatisticDuration;
import dev.gantry.server.metrics.BatchStatistics;
import dev.gantry.server.metrics.CountAndNanos;
import dev.gantry.server.metrics.ModelMetrics;
import dev.gantry.server.model.LoadedVersion;

/** Builds the statistics RPC's answer from a version's metrics, with Triton's fields. */
final class StatisticsResponses {
  private StatisticsResponses() {}

  static ModelStatistics of(LoadedVersion model) {
    ModelMetrics metrics = model.metrics();
    ModelStatistics.Builder statistics = ModelStatistics.newBuilder()
        .setName(model.name())
        .setVersion(Long.toString(model.version()))
        .setLastInference(metrics.lastInferenceMillis())
        .setInferenceCount(metrics.inferenceCount())
        .setExecutionCount(metrics.executionCount())
        .setInferenceStats(InferStatistics.newBuilder()
            .setSuccess(duration(metrics.success()))
            .setFail(duration(metrics.failure()))
            .setQueue(duration(metrics.queue()))
            .setComputeInput(duration(metrics.computeInput()))
            .setComputeInfer(duration(metrics.computeInfer()))
            .setComputeOutput(duration(metrics.computeOutput())));
    for (BatchStatistics batch : metrics.batchStatistics()) {
      statistics.addBatchStats(InferBatchStatistics.newBuilder()
          .setBatchSize(batch.batchSize())
          .setComputeInput(duration(batch.executions(), batch.inputNanos()))
          .setComputeInfer(duration(batch.executions(), batch.inferNanos()))
          .setComputeOutput(duration(batch.executions(), batch.outputNanos())));
    }
    return statistics.build();
  }

  private static StatisticDuration duration(CountAndNanos value) {
    return duration(value.count(), value.nanos());
  }

  private static StatisticDuration duration(long count, long nanos) {
    return StatisticDuration.newBuilder().setCount(count).setNs(nanos).build();
  }
}
