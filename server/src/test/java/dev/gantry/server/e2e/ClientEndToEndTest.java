package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferStream;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.spi.DataType;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java client against a real Gantry server on loopback: every call and every style. */
class ClientEndToEndTest {
  @TempDir static Path repository;
  static RunningServer gantry;
  static InferenceClient client;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    TestRepository models = new TestRepository(repository);
    for (DataType type : List.of(DataType.BOOL, DataType.INT8, DataType.INT16, DataType.INT32,
        DataType.INT64, DataType.UINT8, DataType.FP16, DataType.BF16, DataType.FP64,
        DataType.BYTES)) {
      models.onnx("identity_" + type.name().toLowerCase(Locale.ROOT), 1,
          OnnxModels.identity("x", "y", type, -1, 3));
    }
    gantry = new RunningServer(ServerOptions.forRepositories(repository)
        .withControlMode(ModelControlMode.EXPLICIT, Duration.ofSeconds(1), List.of("*")));
    client = InferenceClient.builder().target("127.0.0.1:" + gantry.server.port()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    gantry.close();
  }

  private static InferRequest simple(float a, float b) {
    float[] x = new float[16];
    float[] y = new float[16];
    Arrays.fill(x, a);
    Arrays.fill(y, b);
    return InferRequest.builder("simple")
        .input(InferInput.fp32("INPUT0", x, 1, 16))
        .input(InferInput.fp32("INPUT1", y, 1, 16))
        .build();
  }

  @Test
  void healthMetadataConfigurationAndStatistics() {
    assertTrue(client.isServerLive());
    assertTrue(client.isServerReady());
    assertTrue(client.isModelReady("simple"));
    assertFalse(client.isModelReady("nope"));
    assertEquals("gantry", client.serverMetadata().getName());
    assertEquals(List.of(-1L, 16L), client.modelMetadata("simple").getInputs(0).getShapeList());
    assertEquals(8, client.modelConfig("simple").getMaxBatchSize());
    client.infer(simple(1, 1));
    assertTrue(client.modelStatistics("simple").get(0).getInferenceStats().getSuccess()
        .getCount() >= 1);
  }

  @Test
  void repositoryIndexLoadAndUnload() {
    assertTrue(client.repositoryIndex(true).stream().anyMatch(m -> m.getName().equals("mixed")));
    client.unloadModel("mixed");
    assertFalse(client.isModelReady("mixed"));
    client.loadModel("mixed");
    assertTrue(client.isModelReady("mixed"));
  }

  @Test
  void blockingInference() {
    InferResult result = client.infer(simple(3, 1));
    assertEquals("simple", result.modelName());
    assertEquals(4f, result.output("OUTPUT0").asFloats()[0]);
    assertEquals(2f, result.output("OUTPUT1").asFloats()[15]);
    assertArrayEquals(new long[] {1, 16}, result.output("OUTPUT0").shape());
  }

  @Test
  void asynchronousInferenceUnderConcurrency() throws Exception {
    List<CompletableFuture<InferResult>> results = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      results.add(client.inferAsync(simple(i, 0.5f)));
    }
    for (int i = 0; i < 100; i++) {
      assertEquals(i + 0.5f, results.get(i).get(30, TimeUnit.SECONDS).output("OUTPUT0")
          .asFloats()[7]);
    }
  }

  @Test
  void streamingWithAnErrorInTheMiddle() throws Exception {
    List<CompletableFuture<InferResult>> results = new ArrayList<>();
    CompletableFuture<InferResult> bad;
    try (InferStream stream = client.openStream()) {
      for (int i = 0; i < 100; i++) {
        results.add(stream.send(simple(i, 0f)));
      }
      bad = stream.send(InferRequest.builder("simple")
          .input(InferInput.fp32("INPUT0", new float[15], 1, 15))
          .input(InferInput.fp32("INPUT1", new float[15], 1, 15))
          .build());
      for (int i = 100; i < 200; i++) {
        results.add(stream.send(simple(i, 0f)));
      }
    }
    for (int i = 0; i < 200; i++) {
      assertEquals((float) i, results.get(i).get(30, TimeUnit.SECONDS).output("OUTPUT0")
          .asFloats()[0]);
    }
    ExecutionException failure = assertThrows(ExecutionException.class, () -> bad.get());
    InferenceClientException error = (InferenceClientException) failure.getCause();
    assertEquals(Status.Code.INVALID_ARGUMENT, error.code());
    assertTrue(error.serverMessage().contains("dimension 1 is 15"), error.serverMessage());
  }

  @Test
  void typedTensorsRoundTrip() {
    assertArrayEquals(new boolean[] {true, false, true}, identity("bool",
        InferInput.bool("x", new boolean[] {true, false, true}, 1, 3)).asBooleans());
    assertArrayEquals(new byte[] {-1, 0, 127}, identity("int8",
        InferInput.int8("x", new byte[] {-1, 0, 127}, 1, 3)).asBytes());
    assertArrayEquals(new short[] {-300, 0, 300}, identity("int16",
        InferInput.int16("x", new short[] {-300, 0, 300}, 1, 3)).asShorts());
    assertArrayEquals(new int[] {-70000, 0, 70000}, identity("int32",
        InferInput.int32("x", new int[] {-70000, 0, 70000}, 1, 3)).asInts());
    assertArrayEquals(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}, identity("int64",
        InferInput.int64("x", new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}, 1, 3)).asLongs());
    assertArrayEquals(new byte[] {(byte) 255, 0, 1}, identity("uint8",
        InferInput.uint8("x", new byte[] {(byte) 255, 0, 1}, 1, 3)).asBytes());
    assertArrayEquals(new float[] {1.5f, -2f, 0.25f}, identity("fp16",
        InferInput.fp16("x", new float[] {1.5f, -2f, 0.25f}, 1, 3)).asFloatsFromHalf());
    assertArrayEquals(new float[] {1.5f, -2f, 0.25f}, identity("bf16",
        InferInput.bf16("x", new float[] {1.5f, -2f, 0.25f}, 1, 3)).asFloatsFromBf16());
    assertArrayEquals(new double[] {Math.PI, -1e300, 0}, identity("fp64",
        InferInput.fp64("x", new double[] {Math.PI, -1e300, 0}, 1, 3)).asDoubles());
    assertEquals(List.of("", "ascii", "čerešňa"), identity("bytes",
        InferInput.strings("x", List.of("", "ascii", "čerešňa"), 1, 3)).asStrings());
  }

  private static dev.gantry.client.InferOutput identity(String type, InferInput input) {
    return client.infer(InferRequest.builder("identity_" + type).input(input).build())
        .output("y");
  }

  @Test
  void asyncQueriesAndTheirFailures() throws Exception {
    assertEquals(List.of(-1L, 16L), client.modelMetadataAsync("simple", "")
        .get(30, TimeUnit.SECONDS).getInputs(0).getShapeList());
    assertEquals(8, client.modelConfigAsync("simple", "").get(30, TimeUnit.SECONDS)
        .getMaxBatchSize());
    assertEquals("simple", client.modelStatisticsAsync("simple", "1").get(30, TimeUnit.SECONDS)
        .get(0).getName());
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> client.modelMetadataAsync("nope", "").get(30, TimeUnit.SECONDS));
    InferenceClientException unknown = (InferenceClientException) failure.getCause();
    assertEquals(Status.Code.NOT_FOUND, unknown.status().getCode());
    assertEquals(unknown.serverMessage(), unknown.status().getDescription());
  }

  @Test
  void serverErrorsCarryTheirStatusAndMessage() {
    InferenceClientException unknown = assertThrows(InferenceClientException.class,
        () -> client.infer(InferRequest.builder("nope")
            .input(InferInput.fp32("x", new float[1], 1)).build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.code());
    assertTrue(unknown.serverMessage().contains("unknown model 'nope'"));
    InferenceClientException late = assertThrows(InferenceClientException.class,
        () -> client.infer(InferRequest.builder("simple")
            .input(InferInput.fp32("INPUT0", new float[16], 1, 16))
            .input(InferInput.fp32("INPUT1", new float[16], 1, 16))
            .deadline(Duration.ofNanos(1))
            .build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code());
  }
}
