package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.server.metrics.ModelMetrics;
import dev.gantry.server.scheduler.ModelScheduler;
import dev.gantry.spi.ModelSignature;
import java.time.Duration;
import java.util.List;

/**
 * One model version that has loaded: its effective configuration, the signature requests are
 * checked against, where its instances run, and the scheduler that runs requests on them.
 *
 * @param signature the served inputs and outputs, with the batch dimension when the model batches
 * @param devices where each instance runs, as the backend reports it
 * @param metrics this version's measurements, fed by its scheduler and the transport
 * @param labels the class labels of its outputs, for the classification extension
 */
public record LoadedVersion(
    String name,
    long version,
    ModelConfig config,
    ModelSignature signature,
    List<String> devices,
    ModelScheduler scheduler,
    ModelMetrics metrics,
    ClassLabels labels) {

  public int maxBatchSize() {
    return config.getMaxBatchSize();
  }

  /** How messages name this version: {@code model 'simple' version 1}. */
  public String label() {
    return label(name, version);
  }

  static String label(String name, long version) {
    return "model '" + name + "' version " + version;
  }

  /** Drains the scheduler and closes the instances. */
  void unload(Duration drainTimeout) {
    scheduler.shutdown(drainTimeout);
  }
}
