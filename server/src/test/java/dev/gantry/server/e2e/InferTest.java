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

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.spi.DataType;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelStreamInferResponse;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inference over real gRPC into real ONNX Runtime sessions, raw and typed, on varied models. */
class InferTest {
  @TempDir static Path repository;
  static RunningServer gantry;
  static byte[] mlp;
  /** Elements of the wide model's one row: 256 KiB of FP32, a message parsed into a direct buffer. */
  static final int WIDE = 64 * 1024;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    mlp = OnnxModels.mlp(32, 64, 2, 10, 7);
    new TestRepository(repository)
        .onnx("scalar", 1, OnnxModels.scalarIncrement())
        .onnx("odd_names", 1, OnnxModels.oddNames())
        .onnx("transpose", 1, OnnxModels.fixedTranspose())
        .onnx("mlp", 1, mlp)
        .onnx("wide", 1, OnnxModels.identity("x", "y", DataType.FP32, 1, WIDE));
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  @Test
  void rawInputsGiveRawOutputsAndEchoTheRequest() {
    ModelInferResponse response = gantry.blocking.modelInfer(
        Tensors.addSub("simple", 1, 3f, 1f).toBuilder().setId("req-1").build());
    assertEquals("simple", response.getModelName());
    assertEquals("1", response.getModelVersion());
    assertEquals("req-1", response.getId());
    assertEquals(List.of("OUTPUT0", "OUTPUT1"),
        response.getOutputsList().stream().map(o -> o.getName()).toList());
    assertEquals(List.of(1L, 16L), response.getOutputs(0).getShapeList());
    assertEquals("FP32", response.getOutputs(0).getDatatype());
    float[] sum = new float[16];
    Arrays.fill(sum, 4f);
    float[] difference = new float[16];
    Arrays.fill(difference, 2f);
    assertArrayEquals(sum, floatsOf(output(response, "OUTPUT0")));
    assertArrayEquals(difference, floatsOf(output(response, "OUTPUT1")));
  }

  @Test
  void typedContentsAreAcceptedAndAnsweredRaw() {
    float[] ones = new float[16];
    Arrays.fill(ones, 1f);
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (float v : ones) {
      contents.addFp32Contents(v * 5);
    }
    ModelInferRequest request = ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(input("INPUT0", "FP32", 1, 16).toBuilder().setContents(contents))
        .addInputs(input("INPUT1", "FP32", 1, 16).toBuilder().setContents(contents))
        .build();
    ModelInferResponse response = gantry.blocking.modelInfer(request);
    assertEquals(2, response.getRawOutputContentsCount());
    assertEquals(10f, floatsOf(output(response, "OUTPUT0"))[15]);
  }

  @Test
  void requestedOutputsSelectASubset() {
    ModelInferRequest request = Tensors.addSub("simple", 1, 3f, 1f).toBuilder()
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("OUTPUT1"))
        .build();
    ModelInferResponse response = gantry.blocking.modelInfer(request);
    assertEquals(1, response.getOutputsCount());
    assertEquals("OUTPUT1", response.getOutputs(0).getName());
    assertEquals(2f, floatsOf(response.getRawOutputContents(0))[0]);
  }

  @Test
  void largeRawAndTypedTensorsArriveIntact() {
    float[] values = new float[WIDE];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble();
    }
    ModelInferResponse raw = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("wide")
        .addInputs(input("x", "FP32", 1, WIDE))
        .addRawInputContents(floats(values))
        .build());
    assertArrayEquals(values, floatsOf(output(raw, "y")));

    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (float v : values) {
      contents.addFp32Contents(v);
    }
    ModelInferResponse typed = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("wide")
        .addInputs(input("x", "FP32", 1, WIDE).toBuilder().setContents(contents))
        .build());
    assertArrayEquals(values, floatsOf(output(typed, "y")));
  }

  @Test
  void largeRequestsInFlightTogetherEachGetTheirOwnBytesBackWhileOthersAreCancelled()
      throws Exception {
    int perRound = 24;
    for (int round = 0; round < 4; round++) {
      List<float[]> sent = new ArrayList<>();
      List<CompletableFuture<ModelInferResponse>> answers = new ArrayList<>();
      List<Context.CancellableContext> cancelled = new ArrayList<>();
      for (int i = 0; i < perRound; i++) {
        float[] values = new float[WIDE];
        Arrays.fill(values, round * 1000 + i);
        values[i] = -1f;
        ModelInferRequest request = ModelInferRequest.newBuilder()
            .setModelName("wide")
            .addInputs(input("x", "FP32", 1, WIDE))
            .addRawInputContents(floats(values))
            .build();
        if (i % 6 == 5) {
          Context.CancellableContext call = Context.current().withCancellation();
          call.run(() -> gantry.async.modelInfer(request, new Answer()));
          cancelled.add(call);
          continue;
        }
        Answer answer = new Answer();
        gantry.async.modelInfer(request, answer);
        sent.add(values);
        answers.add(answer.response);
      }
      cancelled.forEach(call -> call.cancel(null));
      for (int i = 0; i < answers.size(); i++) {
        ModelInferResponse response = answers.get(i).get(10, TimeUnit.SECONDS);
        assertArrayEquals(sent.get(i), floatsOf(output(response, "y")), "request " + i);
      }
    }
  }

  @Test
  void largeRequestsQueuedFromOneStreamEachGetTheirOwnBytesBack() {
    List<ModelInferRequest> requests = new ArrayList<>();
    Map<String, float[]> sent = new java.util.HashMap<>();
    for (int i = 0; i < 48; i++) {
      float[] values = new float[WIDE];
      Arrays.fill(values, 5000 + i);
      values[i] = -1f;
      String id = "s" + i;
      requests.add(ModelInferRequest.newBuilder()
          .setModelName("wide")
          .setId(id)
          .addInputs(input("x", "FP32", 1, WIDE))
          .addRawInputContents(floats(values))
          .build());
      sent.put(id, values);
    }
    List<ModelStreamInferResponse> responses = AsyncCalls.stream(gantry.async, requests);
    assertEquals(requests.size(), responses.size());
    for (ModelStreamInferResponse response : responses) {
      assertEquals("", response.getErrorMessage());
      ModelInferResponse answer = response.getInferResponse();
      assertArrayEquals(sent.get(answer.getId()), floatsOf(output(answer, "y")), answer.getId());
    }
  }

  /** Collects one unary answer. */
  private static final class Answer implements StreamObserver<ModelInferResponse> {
    final CompletableFuture<ModelInferResponse> response = new CompletableFuture<>();

    @Override
    public void onNext(ModelInferResponse value) {
      response.complete(value);
    }

    @Override
    public void onError(Throwable error) {
      response.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {}
  }

  @Test
  void aRequestMayCarrySeveralBatchItems() {
    ModelInferResponse response = gantry.blocking.modelInfer(Tensors.addSub("simple", 3, 2f, 2f));
    assertEquals(List.of(3L, 16L), response.getOutputs(0).getShapeList());
    assertEquals(48, floatsOf(output(response, "OUTPUT0")).length);
  }

  @Test
  void modelWithoutConfigurationServesWithItsCompletedConfiguration() {
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("identity_fp32")
        .addInputs(input("INPUT0", "FP32", 2, 4))
        .addRawInputContents(floats(1, 2, 3, 4, 5, 6, 7, 8))
        .build());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, floatsOf(response.getRawOutputContents(0)));
  }

  @Test
  void inputsOfSeveralDatatypesIncludingBytes() {
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("mixed")
        .addInputs(input("features", "FP32", 2, 4))
        .addInputs(input("offset", "INT64", 2, 1))
        .addInputs(input("label", "BYTES", 2, 1))
        .addRawInputContents(floats(1, 2, 3, 4, 5, 6, 7, 8))
        .addRawInputContents(longs(10, -1))
        .addRawInputContents(strings("cat", "čerešňa 🍒"))
        .build());
    assertArrayEquals(new float[] {11, 12, 13, 14, 4, 5, 6, 7},
        floatsOf(output(response, "scores")));
    assertArrayEquals(new String[] {"cat", "čerešňa 🍒"}, stringsOf(output(response, "label_out")));
    assertEquals(List.of(2L, 1L), response.getOutputs(1).getShapeList());
  }

  @Test
  void scalarInputsHaveAnEmptyShape() {
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("scalar")
        .addInputs(input("x", "INT64"))
        .addRawInputContents(longs(41))
        .build());
    assertEquals(List.of(), response.getOutputs(0).getShapeList());
    assertEquals(42L, response.getRawOutputContents(0).asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN).getLong());
  }

  @Test
  void tensorNamesWithPunctuationWork() {
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("odd_names")
        .addInputs(input("input:0", "FP32", 1, 3))
        .addRawInputContents(floats(1, 2, 3))
        .build());
    assertEquals("a/b.c", response.getOutputs(0).getName());
    assertArrayEquals(new float[] {1, 2, 3}, floatsOf(response.getRawOutputContents(0)));
  }

  @Test
  void fixedShapeModelWithoutBatching() {
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("transpose")
        .addInputs(input("x", "FP32", 2, 3))
        .addRawInputContents(floats(1, 2, 3, 4, 5, 6))
        .build());
    assertEquals(List.of(3L, 2L), response.getOutputs(0).getShapeList());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, floatsOf(response.getRawOutputContents(0)));
  }

  @Test
  void outputsEqualInProcessOnnxRuntime() throws Exception {
    int rows = 3;
    float[] x = new float[rows * 32];
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("mlp")
        .addInputs(input("input", "FP32", rows, 32))
        .addRawInputContents(floats(x))
        .build());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(mlp, options);
        OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, 32});
        OrtSession.Result result = session.run(Map.of("input", tensor))) {
      FloatBuffer expected = ((OnnxTensor) result.get(0)).getFloatBuffer();
      float[] want = new float[expected.remaining()];
      expected.get(want);
      assertArrayEquals(want, floatsOf(response.getRawOutputContents(0)), 1e-6f);
    }
  }
}
