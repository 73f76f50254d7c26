package dev.gantry.bench.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.gantry.bench.Level;
import dev.gantry.bench.LevelResult;
import dev.gantry.bench.RunInfo;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Writes the results as JSON ({@code --json FILE}) with every figure the tool has, the run's
 * description included, for scripts such as the benchmark suite to read.
 */
public final class JsonReport {
  private JsonReport() {}

  public static void write(RunInfo info, List<LevelResult> results, Writer out) throws IOException {
    JsonObject root = new JsonObject();
    root.add("run", run(info));
    JsonArray levels = new JsonArray();
    results.forEach(result -> levels.add(level(result)));
    root.add("levels", levels);
    new GsonBuilder().setPrettyPrinting().create().toJson(root, out);
    out.write("\n");
  }

  private static JsonObject run(RunInfo info) {
    JsonObject run = new JsonObject();
    run.addProperty("target", info.target());
    run.addProperty("server", info.server());
    run.addProperty("model", info.model());
    run.addProperty("version", info.version());
    run.addProperty("mode", info.mode().name().toLowerCase(Locale.ROOT));
    run.addProperty("batch_size", info.batchSize());
    run.addProperty("input_data", info.inputData());
    run.addProperty("stability_latency", info.percentile() == 0 ? "avg" : "p" + info.percentile());
    run.addProperty("started", info.started());
    return run;
  }

  private static JsonObject level(LevelResult r) {
    JsonObject level = new JsonObject();
    level.addProperty(r.level().kind() == Level.Kind.CONCURRENCY ? "concurrency" : "request_rate",
        r.level().value());
    level.addProperty("throughput_infer_per_sec", r.throughput());
    level.addProperty("successes", r.successes());
    level.addProperty("window_seconds", r.measured().durationNanos() / 1e9);
    level.addProperty("trials", r.trials());
    level.addProperty("stable", r.stable());
    level.addProperty("cut_short", r.cutShort());
    JsonObject latency = new JsonObject();
    latency.addProperty("p50", r.percentileMicros(50));
    latency.addProperty("p90", r.percentileMicros(90));
    latency.addProperty("p95", r.percentileMicros(95));
    latency.addProperty("p99", r.percentileMicros(99));
    latency.addProperty("avg", r.meanMicros());
    level.add("latency_us", latency);
    r.backToBackPercentileMicros(99).ifPresent(p99 -> {
      JsonObject backToBack = new JsonObject();
      backToBack.addProperty("p50", r.backToBackPercentileMicros(50).orElseThrow());
      backToBack.addProperty("p99", p99);
      level.add("back_to_back_us", backToBack);
    });
    JsonObject errors = new JsonObject();
    r.measured().sample().errors().forEach(errors::addProperty);
    level.add("errors", errors);
    level.addProperty("error_rate", r.errorRate());
    level.addProperty("late_fraction", r.lateFraction());
    level.addProperty("client_send_us", r.clientSendMicros());
    level.addProperty("client_recv_us", r.clientRecvMicros());
    level.addProperty("network_server_send_recv_us", r.networkMicros());
    level.add("server", server(r));
    r.cpuMicrosPerInference().ifPresent(cpu -> level.addProperty("cpu_us_per_inference", cpu));
    r.measured().cpu().server().ifPresent(cpu -> level.addProperty("cpu_seconds", cpu / 1e9));
    r.clientCpuMicrosPerInference()
        .ifPresent(cpu -> level.addProperty("client_cpu_us_per_inference", cpu));
    r.measured().cpu().client().ifPresent(cpu -> level.addProperty("client_cpu_seconds", cpu / 1e9));
    level.addProperty("payload_bytes", r.payloadBytes());
    return level;
  }

  private static JsonObject server(LevelResult r) {
    JsonObject server = new JsonObject();
    server.addProperty("reported", !r.measured().server().isEmpty());
    server.addProperty("request_us", r.serverMicros());
    server.addProperty("queue_us", r.queueMicros());
    server.addProperty("compute_input_us", r.computeInputMicros());
    server.addProperty("compute_infer_us", r.computeInferMicros());
    server.addProperty("compute_output_us", r.computeOutputMicros());
    server.addProperty("average_batch", r.averageBatch());
    JsonObject sizes = new JsonObject();
    new TreeMap<>(r.measured().server().executionsByBatchSize())
        .forEach((size, count) -> sizes.addProperty(Long.toString(size), count));
    server.add("executions_by_batch_size", sizes);
    return server;
  }
}
