package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.InferStatistics;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.metrics.MetricNames;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.LabelPair;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.Metric;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.MetricFamily;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_33_0.Metrics.MetricType;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint as Prometheus and promtool see it, under both {@link MetricNames}.
 *
 * <p>The exposition is parsed from Prometheus' protobuf format (the {@code MetricFamily} model
 * promtool lints, with the generated classes the Prometheus Java client ships): no maintained
 * parser of the text format exists for Java. The text format is checked for a {@code # HELP} and
 * {@code # TYPE} on every family and for Triton's exact series names.
 */
class ExpositionTest {
  private static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; "
          + "encoding=delimited";
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "gantry-dashboard.json");

  @TempDir static Path repository;
  static RunningServer gantry;
  static RunningServer triton;

  @BeforeAll
  static void sendKnownTraffic() throws Exception {
    ExampleRepository.write(repository);
    Files.createDirectories(repository.resolve("broken/1"));
    Files.writeString(repository.resolve("broken/1/model.onnx"), "not a model");
    ServerOptions options = ServerOptions.forRepositories(repository);
    gantry = new RunningServer(options);
    triton = new RunningServer(options.withMetricNames(MetricNames.TRITON));
    for (RunningServer server : List.of(gantry, triton)) {
      for (int i = 0; i < 4; i++) {
        server.blocking.modelInfer(Tensors.addSub("simple", 2, i, 1f));
      }
      assertThrows(StatusRuntimeException.class, () -> server.blocking.modelInfer(
          Tensors.addSub("simple", 1, 1f, 1f).toBuilder()
              .setInputs(0, Tensors.input("INPUT0", "FP64", 1, 16)).build()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
    triton.close();
  }

  @Test
  void gantryNamesPassPromtoolsRulesWithConsistentHistograms() throws Exception {
    List<MetricFamily> families = scrapeProtobuf(gantry);
    assertEquals(List.of(), PromLint.problems(families));
    Map<String, MetricFamily> byName = families.stream()
        .collect(Collectors.toMap(MetricFamily::getName, Function.identity()));
    for (String duration : List.of("gantry_request_duration_seconds",
        "gantry_queue_duration_seconds", "gantry_compute_input_duration_seconds",
        "gantry_compute_infer_duration_seconds", "gantry_compute_output_duration_seconds")) {
      assertEquals(MetricType.HISTOGRAM, byName.get(duration).getType(), duration);
    }
    for (MetricFamily family : families) {
      if (family.getName().contains("duration") || family.getName().contains("timestamp")) {
        assertTrue(family.getName().matches(".*_seconds(_total)?"),
            family.getName() + " is in seconds");
      }
    }
    assertTrue(byName.containsKey("jvm_memory_used_bytes"), "the standard JVM names");
    assertTrue(byName.containsKey("jvm_gc_collection_seconds"), "the standard JVM names");
    assertTrue(byName.containsKey("process_cpu_seconds_total"), "the standard process names");
    assertEquals(1, value(scrapeText(gantry),
        "gantry_model_load_failures_total{model=\"broken\"} "));
  }

  @Test
  void histogramsHoldTheStatisticsRpcsNumbers() throws Exception {
    Map<String, MetricFamily> byName = scrapeProtobuf(gantry).stream()
        .collect(Collectors.toMap(MetricFamily::getName, Function.identity()));
    InferStatistics stats = statistics(gantry);
    Metric request = simple(byName.get("gantry_request_duration_seconds"));
    assertEquals(stats.getSuccess().getCount(), request.getHistogram().getSampleCount());
    assertEquals(4, request.getHistogram().getSampleCount());
    assertEquals(stats.getSuccess().getNs() / 1e9, request.getHistogram().getSampleSum(), 1e-9);
    Metric queue = simple(byName.get("gantry_queue_duration_seconds"));
    assertEquals(stats.getQueue().getNs() / 1e9, queue.getHistogram().getSampleSum(), 1e-9);
    Metric infer = simple(byName.get("gantry_compute_infer_duration_seconds"));
    assertEquals(stats.getComputeInfer().getCount(), infer.getHistogram().getSampleCount());
    assertEquals(stats.getComputeInfer().getNs() / 1e9, infer.getHistogram().getSampleSum(),
        1e-9);
    Metric failures = byName.get("gantry_request_failure_total").getMetricList().stream()
        .filter(m -> label(m, "model").equals("simple") && label(m, "reason").equals("invalid"))
        .findFirst().orElseThrow();
    assertEquals(1, failures.getCounter().getValue());
  }

  @Test
  void everyFamilyOfTheTextFormatHasHelpAndType() throws Exception {
    for (RunningServer server : List.of(gantry, triton)) {
      List<String> lines = scrapeText(server).lines().toList();
      Set<String> typed = new HashSet<>();
      Set<String> helped = new HashSet<>();
      for (String line : lines) {
        if (line.startsWith("# TYPE ")) {
          typed.add(line.split(" ")[2]);
        } else if (line.startsWith("# HELP ")) {
          helped.add(line.split(" ")[2]);
        }
      }
      assertTrue(typed.size() > 20, "families: " + typed);
      assertEquals(typed, helped);
    }
  }

  @Test
  void tritonNamesCarryTheSameNumbersAsTritonExposesThem() throws Exception {
    String text = scrapeText(triton);
    InferStatistics stats = statistics(triton);
    String simple = "{model=\"simple\",version=\"1\"} ";
    assertEquals(4, value(text, "nv_inference_request_success" + simple));
    assertEquals(8, value(text, "nv_inference_count" + simple));
    assertEquals(stats.getSuccess().getNs() / 1e3,
        value(text, "nv_inference_request_duration_us" + simple), 1e-3);
    assertEquals(stats.getQueue().getNs() / 1e3,
        value(text, "nv_inference_queue_duration_us" + simple), 1e-3);
    assertEquals(stats.getComputeInput().getNs() / 1e3,
        value(text, "nv_inference_compute_input_duration_us" + simple), 1e-3);
    assertEquals(stats.getComputeInfer().getNs() / 1e3,
        value(text, "nv_inference_compute_infer_duration_us" + simple), 1e-3);
    assertEquals(stats.getComputeOutput().getNs() / 1e3,
        value(text, "nv_inference_compute_output_duration_us" + simple), 1e-3);
    assertEquals(0, value(text, "nv_inference_pending_request_count" + simple));
    assertEquals(1, value(text,
        "nv_inference_request_failure{model=\"simple\",reason=\"OTHER\",version=\"1\"} "));
    for (String reason : List.of("REJECTED", "CANCELED", "BACKEND")) {
      assertEquals(0, value(text, "nv_inference_request_failure{model=\"simple\",reason=\""
          + reason + "\",version=\"1\"} "), reason);
    }
    assertTrue(value(text, "nv_inference_exec_count" + simple) >= 1);
    assertTrue(!text.contains("gantry_request_duration_seconds"),
        "Triton's names replace Gantry's for the same numbers");
    assertTrue(text.contains("gantry_batch_executions_total"), "what Triton lacks stays");
  }

  @Test
  void dashboardIsAGrafanaModelQueryingOnlyExportedMetrics() throws Exception {
    JsonObject dashboard = JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject();
    assertTrue(dashboard.has("title") && dashboard.has("schemaVersion"), "a dashboard model");
    Set<String> series = new TreeSet<>();
    for (MetricFamily family : scrapeProtobuf(gantry)) {
      series.addAll(sampleNames(family));
    }
    List<String> expressions = new ArrayList<>();
    collectExpressions(dashboard, expressions);
    assertTrue(expressions.size() >= 8, "queries: " + expressions);
    Pattern metric = Pattern.compile("\\b(gantry|jvm|process)_[a-z_]+\\b");
    for (String expression : expressions) {
      Matcher names = metric.matcher(expression);
      assertTrue(names.find(), "queries a Gantry metric: " + expression);
      do {
        assertTrue(series.contains(names.group()), names.group() + " in " + expression);
      } while (names.find());
    }
  }

  /** The series names Prometheus stores for a family: a histogram's three, a counter's one. */
  private static List<String> sampleNames(MetricFamily family) {
    String name = family.getName();
    return switch (family.getType()) {
      case HISTOGRAM -> List.of(name + "_bucket", name + "_sum", name + "_count");
      case SUMMARY -> List.of(name, name + "_sum", name + "_count");
      default -> List.of(name);
    };
  }

  private static void collectExpressions(JsonElement element, List<String> expressions) {
    if (element.isJsonObject()) {
      for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
        if (entry.getKey().equals("expr")) {
          expressions.add(entry.getValue().getAsString());
        } else {
          collectExpressions(entry.getValue(), expressions);
        }
      }
    } else if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(child -> collectExpressions(child, expressions));
    }
  }

  private static InferStatistics statistics(RunningServer server) {
    return server.blocking.modelStatistics(ModelStatisticsRequest.newBuilder()
        .setName("simple").setVersion("1").build()).getModelStats(0).getInferenceStats();
  }

  private static Metric simple(MetricFamily family) {
    return family.getMetricList().stream()
        .filter(m -> label(m, "model").equals("simple")).findFirst().orElseThrow();
  }

  private static String label(Metric metric, String name) {
    return metric.getLabelList().stream().filter(l -> l.getName().equals(name))
        .map(LabelPair::getValue).findFirst().orElse("");
  }

  private static double value(String text, String series) {
    return text.lines().filter(line -> line.startsWith(series)).findFirst()
        .map(line -> Double.parseDouble(line.substring(series.length()).trim()))
        .orElseThrow(() -> new AssertionError("missing " + series));
  }

  private static HttpRequest.Builder scrape(RunningServer server) {
    return HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.server.metricsPort() + "/metrics"));
  }

  private static String scrapeText(RunningServer server) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        scrape(server).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  private static List<MetricFamily> scrapeProtobuf(RunningServer server) throws Exception {
    HttpResponse<InputStream> response = HttpClient.newHttpClient().send(
        scrape(server).header("Accept", PROTOBUF).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("")
        .startsWith("application/vnd.google.protobuf"), "answered in protobuf");
    List<MetricFamily> families = new ArrayList<>();
    try (InputStream body = response.body()) {
      for (MetricFamily family = MetricFamily.parseDelimitedFrom(body); family != null;
          family = MetricFamily.parseDelimitedFrom(body)) {
        families.add(family);
      }
    }
    return families;
  }
}
