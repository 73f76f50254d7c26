package dev.gantry.bench.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The figures of one suite run, read back from the JSON the CLI wrote ({@code --json}), of its
 * first load level: what the suite's report compares.
 *
 * @param throughput inferences per second
 * @param p50 median latency, microseconds
 * @param p99 99th percentile latency, microseconds
 * @param avg mean latency, microseconds
 * @param cpuPerInference CPU microseconds of the measured process per inference; NaN when unknown
 * @param clientCpuPerInference CPU microseconds of the load generator per inference; NaN when
 *     unknown
 * @param averageBatch batch items per execution
 * @param executionsByBatchSize executions per batch size
 * @param payloadBytes input bytes per request
 * @param queue server queue time, microseconds
 * @param computeInfer server compute infer time, microseconds
 * @param errors failed requests
 * @param stable whether the level's last windows agreed
 * @param backToBackP99 99th percentile of two requests in a row taken together, microseconds;
 *     NaN unless the level kept one request outstanding
 */
record SuiteFigures(double throughput, double p50, double p99, double avg, double cpuPerInference,
    double clientCpuPerInference, double averageBatch, Map<Long, Long> executionsByBatchSize, long payloadBytes, double queue,
    double computeInfer, long errors, boolean stable, double backToBackP99) {

  /** The figures of {@code <dir>/<name>.json}; empty when the run left no result. */
  static Optional<SuiteFigures> read(Path dir, String name) throws IOException {
    Path file = dir.resolve(name + ".json");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonObject report = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    if (report.getAsJsonArray("levels").isEmpty()) {
      return Optional.empty();
    }
    JsonObject level = report.getAsJsonArray("levels").get(0).getAsJsonObject();
    JsonObject latency = level.getAsJsonObject("latency_us");
    JsonObject server = level.getAsJsonObject("server");
    Map<Long, Long> sizes = new TreeMap<>();
    for (Map.Entry<String, JsonElement> size :
        server.getAsJsonObject("executions_by_batch_size").entrySet()) {
      sizes.put(Long.parseLong(size.getKey()), size.getValue().getAsLong());
    }
    long errors = level.getAsJsonObject("errors").entrySet().stream()
        .mapToLong(entry -> entry.getValue().getAsLong()).sum();
    return Optional.of(new SuiteFigures(
        level.get("throughput_infer_per_sec").getAsDouble(),
        latency.get("p50").getAsDouble(),
        latency.get("p99").getAsDouble(),
        latency.get("avg").getAsDouble(),
        number(level, "cpu_us_per_inference"),
        number(level, "client_cpu_us_per_inference"),
        server.get("average_batch").getAsDouble(),
        sizes,
        level.get("payload_bytes").getAsLong(),
        server.get("queue_us").getAsDouble(),
        server.get("compute_infer_us").getAsDouble(),
        errors,
        level.get("stable").getAsBoolean(),
        level.has("back_to_back_us")
            ? level.getAsJsonObject("back_to_back_us").get("p99").getAsDouble()
            : Double.NaN));
  }

  private static double number(JsonObject level, String name) {
    return level.has(name) ? level.get(name).getAsDouble() : Double.NaN;
  }

  /** The batch size most executions had; 0 without server statistics. */
  long dominantBatch() {
    return executionsByBatchSize.entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(0L);
  }

  /** Inferences per second of server CPU time; NaN when the CPU time is unknown. */
  double perCpuSecond() {
    return 1e6 / cpuPerInference;
  }

  /** Server CPU milliseconds per 10^6 bytes of request payload; NaN when the CPU time is unknown. */
  double cpuMillisPerMegabyte() {
    return cpuPerInference / 1000 / (payloadBytes / 1e6);
  }

  /** The share of one core the load generator used: near 1, it limited the run. */
  double clientCores() {
    return throughput * clientCpuPerInference / 1e6;
  }
}
