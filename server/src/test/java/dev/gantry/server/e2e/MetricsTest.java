package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.InferBatchStatistics;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.ServerMetadataRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known traffic in, then the statistics RPC and a Prometheus scrape over HTTP must count exactly
 * that traffic, with model and version labels.
 */
class MetricsTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void sendKnownTraffic() throws Exception {
    ExampleRepository.write(repository);
    gantry = RunningServer.on(new TestRepository(repository));
    for (int i = 0; i < 5; i++) {
      gantry.blocking.modelInfer(Tensors.addSub("simple", 1, i, 1f));
    }
    for (int i = 0; i < 2; i++) {
      gantry.blocking.modelInfer(Tensors.addSub("simple", 3, i, 1f));
    }
    for (int i = 0; i < 3; i++) {
      assertThrows(StatusRuntimeException.class, () -> gantry.blocking.modelInfer(
          Tensors.addSub("simple", 1, 1f, 1f).toBuilder()
              .setInputs(0, Tensors.input("INPUT0", "FP64", 1, 16)).build()));
    }
    assertThrows(StatusRuntimeException.class, () -> gantry.blocking.modelInfer(
        Tensors.addSub("simple", 1, 1f, 1f).toBuilder().setModelVersion("7").build()));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static ModelStatistics statistics(String model, String version) {
    List<ModelStatistics> all = gantry.blocking.modelStatistics(ModelStatisticsRequest.newBuilder()
        .setName(model).setVersion(version).build()).getModelStatsList();
    assertEquals(1, all.size());
    return all.get(0);
  }

  @Test
  void statisticsCountTheTrafficSent() {
    ModelStatistics simple = statistics("simple", "1");
    assertEquals("simple", simple.getName());
    assertEquals("1", simple.getVersion());
    assertEquals(7, simple.getInferenceStats().getSuccess().getCount());
    assertEquals(3, simple.getInferenceStats().getFail().getCount());
    assertEquals(7, simple.getInferenceStats().getQueue().getCount());
    assertEquals(7, simple.getInferenceStats().getComputeInfer().getCount());
    assertTrue(simple.getInferenceStats().getSuccess().getNs() > 0);
    assertTrue(simple.getInferenceStats().getComputeInfer().getNs() > 0);
    assertEquals(11, simple.getInferenceCount());
    assertEquals(7, simple.getExecutionCount());
    assertTrue(simple.getLastInference() > 0);
    Map<Long, Long> executionsBySize = simple.getBatchStatsList().stream().collect(
        Collectors.toMap(InferBatchStatistics::getBatchSize, b -> b.getComputeInfer().getCount()));
    assertEquals(Map.of(1L, 5L, 3L, 2L), executionsBySize);
  }

  @Test
  void statisticsOfEveryModelOrOfAnUnknownOne() {
    List<String> names = gantry.blocking.modelStatistics(ModelStatisticsRequest.getDefaultInstance())
        .getModelStatsList().stream().map(ModelStatistics::getName).toList();
    assertEquals(List.of("identity_fp32", "mixed", "simple"), names);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> gantry.blocking.modelStatistics(
            ModelStatisticsRequest.newBuilder().setName("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void serverMetadataListsTheStatisticsExtension() {
    assertTrue(gantry.blocking.serverMetadata(ServerMetadataRequest.getDefaultInstance())
        .getExtensionsList().contains("statistics"));
  }

  @Test
  void prometheusScrapeHasTheSameNumbersWithLabels() throws Exception {
    HttpResponse<String> scrape = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + gantry.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, scrape.statusCode());
    String body = scrape.body();
    for (String line : List.of(
        "gantry_request_success_total{model=\"simple\",version=\"1\"} 7.0",
        "gantry_request_duration_seconds_count{model=\"simple\",version=\"1\"} 7",
        "gantry_request_duration_seconds_bucket{model=\"simple\",version=\"1\",le=\"+Inf\"} 7",
        "gantry_request_failure_total{model=\"simple\",reason=\"invalid\",version=\"1\"} 3.0",
        "gantry_queue_duration_seconds_count{model=\"simple\",version=\"1\"} 7",
        "gantry_compute_infer_duration_seconds_count{model=\"simple\",version=\"1\"} 7",
        "gantry_inferences_total{model=\"simple\",version=\"1\"} 11.0",
        "gantry_executions_total{model=\"simple\",version=\"1\"} 7.0",
        "gantry_batch_executions_total{batch_size=\"3\",model=\"simple\",version=\"1\"} 2.0",
        "gantry_batch_items_count{model=\"simple\",version=\"1\"} 7",
        "gantry_batch_items_bucket{model=\"simple\",version=\"1\",le=\"2.0\"} 5",
        "gantry_batch_items_bucket{model=\"simple\",version=\"1\",le=\"4.0\"} 7",
        "gantry_queue_depth{model=\"simple\",priority=\"1\",version=\"1\"} 0.0",
        "gantry_grpc_calls_total{code=\"INVALID_ARGUMENT\",method=\"ModelInfer\"} 3.0",
        "gantry_grpc_calls_total{code=\"NOT_FOUND\",method=\"ModelInfer\"} 1.0")) {
      assertTrue(body.contains(line), "missing: " + line);
    }
    assertTrue(body.contains("jvm_memory_used_bytes{area=\"heap\"}"), "JVM metrics are exported");
    assertTrue(body.contains("jvm_buffer_pool_used_bytes{pool=\"direct\"}"),
        "direct buffer use is exported");
  }
}
