package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.floatsOf;
import static dev.gantry.server.e2e.Tensors.input;
import static dev.gantry.server.e2e.Tensors.longs;
import static dev.gantry.server.e2e.Tensors.output;
import static dev.gantry.server.e2e.Tensors.strings;
import static dev.gantry.server.e2e.Tensors.stringsOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.backend.tensorflow.SavedModels;
import dev.gantry.modelgen.OnnxModelBuilder;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelMetadataResponse;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.spi.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TensorFlow SavedModels served over gRPC next to ONNX models in one repository, with no change
 * to the server: the same requests on an ONNX and a TensorFlow model of the same function give
 * the same answers.
 */
class TensorFlowServingTest {
  private static final float[][] WEIGHTS = {{1f, -2f}, {0.5f, 3f}, {-1f, 0.25f}};
  private static final float[] BIAS = {0.5f, -1f};

  @TempDir static Path repository;
  static RunningServer gantry;

  private static Path savedModel(String model) throws Exception {
    Path directory = repository.resolve(model).resolve("1").resolve("model.savedmodel");
    Files.createDirectories(directory.getParent());
    return directory;
  }

  /** The same dense layer as ONNX: y = x·W + b. */
  private static byte[] denseOnnx() {
    ByteBuffer weights = ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : WEIGHTS) {
      for (float w : row) {
        weights.putFloat(w);
      }
    }
    ByteBuffer bias = ByteBuffer.allocate(2 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float b : BIAS) {
      bias.putFloat(b);
    }
    return new OnnxModelBuilder("dense")
        .input("x", DataType.FP32, -1, 3)
        .output("y", DataType.FP32, -1, 2)
        .initializer("W", DataType.FP32, new long[] {3, 2}, weights.flip())
        .initializer("b", DataType.FP32, new long[] {2}, bias.flip())
        .node("MatMul", List.of("x", "W"), List.of("xw"))
        .node("Add", List.of("xw", "b"), List.of("y"))
        .build();
  }

  @BeforeAll
  static void start() throws Exception {
    SavedModels.dense(savedModel("dense_tf"), WEIGHTS, BIAS);
    SavedModels.mixed(savedModel("mixed_tf"));
    SavedModels.identities(savedModel("identities_tf"));
    String batching = """
        max_batch_size: 8
        dynamic_batching { max_queue_delay_microseconds: 200000 }
        """;
    TestRepository models = new TestRepository(repository)
        .config("dense_tf", batching)
        .onnx("dense_onnx", 1, denseOnnx())
        .config("dense_onnx", batching);
    for (DataType type : DataType.values()) {
      String name = SavedModels.identitySignature(type) + "_tf";
      copy(repository.resolve("identities_tf"), repository.resolve(name));
      models.config(name, "parameters { key: \"signature_name\" value: { string_value: \""
          + SavedModels.identitySignature(type) + "\" } }\n");
    }
    gantry = RunningServer.on(models);
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static void copy(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  private static ModelInferRequest dense(String model, float[] x) {
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input("x", "FP32", x.length / 3, 3))
        .addRawInputContents(floats(x))
        .build();
  }

  private static float[] expected(float[] x) {
    int rows = x.length / 3;
    float[] y = new float[rows * 2];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < 2; c++) {
        double sum = BIAS[c];
        for (int k = 0; k < 3; k++) {
          sum += (double) x[r * 3 + k] * WEIGHTS[k][c];
        }
        y[r * 2 + c] = (float) sum;
      }
    }
    return y;
  }

  @Test
  void metadataComesFromTheSignature() {
    ModelMetadataResponse metadata = gantry.blocking.modelMetadata(
        ModelMetadataRequest.newBuilder().setName("dense_tf").build());
    assertEquals("tensorflow_savedmodel", metadata.getPlatform());
    assertEquals("x", metadata.getInputs(0).getName());
    assertEquals(List.of(-1L, 3L), metadata.getInputs(0).getShapeList());
    assertEquals("y", metadata.getOutputs(0).getName());
  }

  @Test
  void onnxAndTensorFlowGiveTheSameAnswers() {
    SplittableRandom random = new SplittableRandom(5);
    for (int rows : new int[] {1, 2, 5}) {
      float[] x = new float[rows * 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble(-10, 10);
      }
      ModelInferResponse tf = gantry.blocking.modelInfer(dense("dense_tf", x));
      ModelInferResponse onnx = gantry.blocking.modelInfer(dense("dense_onnx", x));
      assertEquals(onnx.getOutputs(0).getShapeList(), tf.getOutputs(0).getShapeList());
      assertArrayEquals(floatsOf(onnx.getRawOutputContents(0)),
          floatsOf(tf.getRawOutputContents(0)), 1e-5f);
      assertArrayEquals(expected(x), floatsOf(tf.getRawOutputContents(0)), 1e-4f);
    }
  }

  @Test
  void severalInputsAndOutputsOfDifferentTypes() {
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("mixed_tf")
        .addInputs(input("features", "FP32", 2, 4))
        .addInputs(input("offset", "INT64", 2, 1))
        .addInputs(input("flag", "BOOL", 2, 1))
        .addInputs(input("label", "BYTES", 2, 1))
        .addRawInputContents(floats(1, 2, 3, 4, 5, 6, 7, 8))
        .addRawInputContents(longs(10, -1))
        .addRawInputContents(ByteString.copyFrom(new byte[] {1, 0}))
        .addRawInputContents(strings("cat", "dog"))
        .build());
    assertArrayEquals(new float[] {11, 12, 13, 14, 4, 5, 6, 7},
        floatsOf(output(response, "scores")));
    ByteBuffer count = output(response, "count").asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(20L, count.getLong());
    assertEquals(-2L, count.getLong());
    assertEquals(ByteString.copyFrom(new byte[] {0, 1}), output(response, "negated"));
    assertArrayEquals(new String[] {"cat", "dog"}, stringsOf(output(response, "label_out")));
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void everyDatatypeRoundTripsOverGrpc(DataType type) {
    ByteString raw;
    if (type == DataType.BYTES) {
      raw = strings("", "x", "\u00fc", "bytes");
    } else {
      byte[] bytes = new byte[4 * type.elementSize()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (type == DataType.BOOL ? i % 2 : (i * 37 + 11) & 0x3f);
      }
      raw = ByteString.copyFrom(bytes);
    }
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName(SavedModels.identitySignature(type) + "_tf")
        .addInputs(input("in", type.name(), 2, 2))
        .addRawInputContents(raw)
        .build());
    assertEquals(type.name(), response.getOutputs(0).getDatatype());
    assertEquals(raw, response.getRawOutputContents(0));
  }

  @Test
  void concurrentRequestsToATensorFlowModelAreBatched() throws Exception {
    List<CompletableFuture<ModelInferResponse>> outcomes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      float[] x = {i, 1, 0};
      outcomes.add(CompletableFuture.supplyAsync(
          () -> gantry.blocking.modelInfer(dense("dense_tf", x))));
    }
    for (int i = 0; i < 8; i++) {
      float[] y = floatsOf(outcomes.get(i).get(30, TimeUnit.SECONDS).getRawOutputContents(0));
      assertArrayEquals(expected(new float[] {i, 1, 0}), y, 1e-4f);
    }
    long executions = gantry.blocking.modelStatistics(ModelStatisticsRequest.newBuilder()
        .setName("dense_tf").build()).getModelStats(0).getExecutionCount();
    assertTrue(executions < 8, "executions: " + executions);
  }

  @Test
  void tensorFlowModelsLoadUnloadAndReload(@TempDir Path root) throws Exception {
    Path model = root.resolve("dense").resolve("1").resolve("model.savedmodel");
    Files.createDirectories(model.getParent());
    SavedModels.dense(model, WEIGHTS, BIAS);
    try (RunningServer explicit = new RunningServer(ServerOptions.forRepositories(root)
        .withControlMode(ModelControlMode.EXPLICIT, Duration.ofSeconds(1), List.of()))) {
      float[] x = {1, 2, 3};
      for (int round = 0; round < 3; round++) {
        explicit.blocking.repositoryModelLoad(
            RepositoryModelLoadRequest.newBuilder().setModelName("dense").build());
        assertArrayEquals(expected(x),
            floatsOf(explicit.blocking.modelInfer(dense("dense", x)).getRawOutputContents(0)),
            1e-4f);
        explicit.blocking.repositoryModelUnload(
            RepositoryModelUnloadRequest.newBuilder().setModelName("dense").build());
      }
    }
  }
}
