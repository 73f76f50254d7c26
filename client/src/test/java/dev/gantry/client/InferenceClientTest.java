package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.RepositoryIndexResponse;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class InferenceClientTest {
  private FakeServer server;
  private InferenceClient client;

  @BeforeEach
  void start() {
    server = FakeServer.plaintext();
    client = InferenceClient.builder().target(server.target()).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void health() {
    assertTrue(client.isServerLive());
    assertTrue(client.isServerReady());
    assertTrue(client.isModelReady("simple"));
    assertTrue(client.isModelReady("simple", "1"));
    assertFalse(client.isModelReady("simple", "2"));
    assertFalse(client.isModelReady("other"));
  }

  @Test
  void metadataAndConfiguration() {
    assertEquals("fake", client.serverMetadata().getName());
    assertEquals(List.of("model_repository"), client.serverMetadata().getExtensionsList());
    assertEquals("FP32", client.modelMetadata("simple").getInputs(0).getDatatype());
    assertEquals(List.of("1"), client.modelMetadata("simple", "1").getVersionsList());
    assertEquals(8, client.modelConfig("simple").getMaxBatchSize());
    assertEquals("simple", client.modelConfig("simple", "1").getName());
  }

  @Test
  void serverErrorsCarryCodeAndMessage() {
    InferenceClientException error =
        assertThrows(InferenceClientException.class, () -> client.modelConfig("missing"));
    assertEquals(Status.Code.NOT_FOUND, error.code());
    assertEquals("no model named missing", error.serverMessage());
    assertEquals("NOT_FOUND: no model named missing", error.getMessage());
  }

  @Test
  void failuresCarryTheWholeStatusAndTheTrailers() {
    Metadata.Key<String> detail = Metadata.Key.of("x-detail", Metadata.ASCII_STRING_MARSHALLER);
    Metadata trailers = new Metadata();
    trailers.put(detail, "model is being replaced");
    server.service.failNext(1, Status.FAILED_PRECONDITION, trailers);
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> client.modelMetadataAsync("simple", "").get(10, TimeUnit.SECONDS));
    InferenceClientException error = (InferenceClientException) failure.getCause();
    assertEquals(Status.Code.FAILED_PRECONDITION, error.status().getCode());
    assertEquals("injected failure", error.status().getDescription());
    assertEquals("model is being replaced", error.trailers().get(detail));

    server.service.failNext(1, Status.FAILED_PRECONDITION, trailers);
    InferenceClientException blocking =
        assertThrows(InferenceClientException.class, () -> client.modelConfig("simple"));
    assertEquals("model is being replaced", blocking.trailers().get(detail));
    assertEquals(Status.Code.FAILED_PRECONDITION, blocking.status().getCode());
  }

  @Test
  void everyQueryAndCommandHasAnAsyncVariant() throws Exception {
    assertEquals("fake", client.serverMetadataAsync().get(10, TimeUnit.SECONDS).getName());
    assertEquals(List.of("1"),
        client.modelMetadataAsync("simple", "1").get(10, TimeUnit.SECONDS).getVersionsList());
    assertEquals(8,
        client.modelConfigAsync("simple", "").get(10, TimeUnit.SECONDS).getMaxBatchSize());
    assertEquals(3, client.modelStatisticsAsync("", "").get(10, TimeUnit.SECONDS).get(0)
        .getInferenceCount());
    assertEquals(1, client.repositoryIndexAsync(true).get(10, TimeUnit.SECONDS).size());
    client.loadModelAsync("simple").get(10, TimeUnit.SECONDS);
    client.unloadModelAsync("simple").get(10, TimeUnit.SECONDS);
    client.unloadModelAsync("simple", true).get(10, TimeUnit.SECONDS);
    assertEquals(1, server.service.requests(RepositoryModelLoadRequest.class).size());
    assertEquals(2, server.service.requests(RepositoryModelUnloadRequest.class).size());
    ExecutionException missing = assertThrows(ExecutionException.class,
        () -> client.modelConfigAsync("missing", "").get(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.NOT_FOUND, ((InferenceClientException) missing.getCause()).code());
  }

  @Test
  void statistics() {
    List<ModelStatistics> all = client.modelStatistics();
    assertEquals(1, all.size());
    assertEquals(3, all.get(0).getInferenceCount());
    assertEquals(1, client.modelStatistics("simple").size());
    assertEquals(0, client.modelStatistics("other", "1").size());
  }

  @Test
  void repository() {
    List<RepositoryIndexResponse.ModelIndex> all = client.repositoryIndex(false);
    assertEquals(2, all.size());
    assertEquals("no file", all.get(1).getReason());
    assertEquals(1, client.repositoryIndex(true).size());

    client.loadModel("simple");
    client.loadModel(
        "simple", "{\"backend\":\"onnxruntime\"}", Map.of("1/model.onnx", new byte[] {1, 2, 3}));
    client.unloadModel("simple");
    client.unloadModel("simple", true);

    List<RepositoryModelLoadRequest> loads =
        server.service.requests(RepositoryModelLoadRequest.class);
    assertEquals(2, loads.size());
    assertEquals("simple", loads.get(0).getModelName());
    assertTrue(loads.get(0).getParametersMap().isEmpty());
    assertEquals(
        "{\"backend\":\"onnxruntime\"}",
        loads.get(1).getParametersOrThrow("config").getStringParam());
    assertEquals(3, loads.get(1).getParametersOrThrow("file:1/model.onnx").getBytesParam().size());

    List<RepositoryModelUnloadRequest> unloads =
        server.service.requests(RepositoryModelUnloadRequest.class);
    assertEquals(2, unloads.size());
    assertTrue(unloads.get(1).getParametersOrThrow("unload_dependents").getBoolParam());
  }

  @Test
  void inferenceWithRequestOptions() {
    InferResult result =
        client.infer(
            InferRequest.builder("simple")
                .version("1")
                .id("abc")
                .inputs(
                    InferInput.fp32("INPUT0", new float[] {1, 2}, 1, 2),
                    InferInput.fp32("INPUT1", new float[] {3, 4}, 1, 2))
                .outputs("OUTPUT1")
                .priority(2)
                .timeout(Duration.ofMillis(5))
                .parameter("custom", "yes")
                .build());
    assertEquals("simple", result.modelName());
    assertEquals("1", result.modelVersion());
    assertEquals("abc", result.id());
    assertEquals(1, result.outputs().size());
    assertEquals(4f, result.output("OUTPUT1").asFloats()[1]);

    ModelInferRequest sent = server.service.requests(ModelInferRequest.class).get(0);
    assertEquals(2, sent.getParametersOrThrow("priority").getInt64Param());
    assertEquals(5000, sent.getParametersOrThrow("timeout").getInt64Param());
    assertEquals("yes", sent.getParametersOrThrow("custom").getStringParam());
    assertEquals("OUTPUT1", sent.getOutputs(0).getName());
  }

  @Test
  void headersArriveOnEveryCall() {
    try (InferenceClient authorized =
        InferenceClient.builder()
            .target(server.target())
            .bearerToken("s3cret")
            .header("x-team", "vision")
            .build()) {
      authorized.isServerReady();
      authorized.infer(
          InferRequest.builder("simple")
              .input(InferInput.int32("INPUT0", new int[] {1}, 1))
              .build());
      try (InferStream stream = authorized.openStream()) {
        stream.send(
            InferRequest.builder("simple")
                .input(InferInput.int32("INPUT0", new int[] {1}, 1))
                .build());
      }
    }
    Metadata.Key<String> authorization =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    Metadata.Key<String> team = Metadata.Key.of("x-team", Metadata.ASCII_STRING_MARSHALLER);
    assertEquals(3, server.service.headers.size());
    for (Metadata headers : server.service.headers) {
      assertEquals("Bearer s3cret", headers.get(authorization));
      assertEquals("vision", headers.get(team));
    }
  }

  @Test
  void callerSuppliedChannelIsLeftOpen() {
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
    try {
      InferenceClient borrowed = InferenceClient.builder().channel(channel).build();
      assertTrue(borrowed.isServerLive());
      borrowed.close();
      assertFalse(channel.isShutdown());
      assertTrue(
          InferenceClient.builder().channel(channel).header("x", "y").build().isServerReady());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void closingShutsDownTheOwnChannel() {
    client.close();
    InferenceClientException error =
        assertThrows(InferenceClientException.class, client::isServerLive);
    assertEquals(Status.Code.UNAVAILABLE, error.code());
  }

  @Test
  void builderRejectsIncompleteOrContradictorySettings() {
    assertThrows(IllegalStateException.class, () -> InferenceClient.builder().build());
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(server.target()).usePlaintext().build();
    try {
      assertThrows(
          IllegalStateException.class,
          () -> InferenceClient.builder().channel(channel).useTls().build());
    } finally {
      channel.shutdownNow();
    }
    assertThrows(
        IllegalArgumentException.class, () -> InferenceClient.builder().targets("no-port"));
    assertThrows(
        IllegalArgumentException.class, () -> InferenceClient.builder().targets("host:1/path"));
  }

  @Test
  void largeResponsesAreLimited() {
    try (InferenceClient small =
        InferenceClient.builder().target(server.target()).maxInboundMessageSize(1024).build()) {
      InferRequest large =
          InferRequest.builder("simple")
              .input(InferInput.fp32("INPUT0", new float[1024], 1024))
              .build();
      InferenceClientException error =
          assertThrows(InferenceClientException.class, () -> small.infer(large));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, error.code());
    }
  }

  @Test
  void balancesCallsOverSeveralTargets() {
    try (FakeServer second = FakeServer.plaintext();
        InferenceClient balanced =
            InferenceClient.builder()
                .targets(server.target(), "localhost:" + second.port())
                .keepAlive(Duration.ofMinutes(1), Duration.ofSeconds(20))
                .build()) {
      for (int i = 0;
          i < 200
              && (server.service.attempts("ServerReady") == 0
                  || second.service.attempts("ServerReady") == 0);
          i++) {
        assertTrue(balanced.isServerReady());
      }
      assertTrue(server.service.attempts("ServerReady") > 0, "first server called");
      assertTrue(second.service.attempts("ServerReady") > 0, "second server called");
    }
  }

  @Test
  void resolvesDnsTargets() {
    try (InferenceClient dns =
        InferenceClient.builder().target("dns:///127.0.0.1:" + server.port()).build()) {
      assertTrue(dns.isServerLive());
    }
  }
}
