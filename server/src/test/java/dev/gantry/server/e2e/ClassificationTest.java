package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.input;
import static dev.gantry.server.e2e.Tensors.longs;
import static dev.gantry.server.e2e.Tensors.strings;
import static dev.gantry.server.e2e.Tensors.stringsOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.client.Classification;
import dev.gantry.client.InferInput;
import dev.gantry.client.InferOutput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.OutputOption;
import dev.gantry.modelgen.ClassifierModels;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.spi.DataType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's classification extension over real gRPC into ONNX Runtime: a softmax classifier with a
 * labels file, an integer model without one, and the requests the extension refuses.
 */
class ClassificationTest {
  private static final String CLASSIFIER_CONFIG = """
      max_batch_size: 4
      input [{ name: "logits" data_type: TYPE_FP32 dims: [4] }]
      output [{ name: "probs" data_type: TYPE_FP32 dims: [4] label_filename: "labels.txt" }]
      """;

  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    TestRepository models = new TestRepository(repository)
        .onnx("classifier", 1, ClassifierModels.softmax(4))
        .config("classifier", CLASSIFIER_CONFIG)
        .file("classifier", "labels.txt", "cat\ndog\nbird\nfish\n")
        .onnx("scores_int64", 1, OnnxModels.identity("x", "y", DataType.INT64, 5))
        .onnx("text", 1, OnnxModels.identity("x", "y", DataType.BYTES, -1, 1));
    gantry = RunningServer.on(models);
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  @Test
  void topClassesPerBatchItemWithValuesIndicesAndLabels() {
    float[] logits = {1, 3, 2, 0, 0, 0, 5, 0};
    ModelInferResponse response = gantry.blocking.modelInfer(
        classify("classifier", "logits", 2, floats(logits), "probs", 2));
    assertEquals("BYTES", response.getOutputs(0).getDatatype());
    assertEquals(List.of(2L, 2L), response.getOutputs(0).getShapeList());
    float[] first = softmax(1, 3, 2, 0);
    float[] second = softmax(0, 0, 5, 0);
    String[] classes = stringsOf(response.getRawOutputContents(0));
    assertEquals(4, classes.length);
    assertClass(classes[0], first[1], "1:dog");
    assertClass(classes[1], first[2], "2:bird");
    assertClass(classes[2], second[2], "2:bird");
    assertClass(classes[3], second[0], "0:cat");
  }

  @Test
  void aClassCountAboveTheClassesReturnsEveryClass() {
    ModelInferResponse response = gantry.blocking.modelInfer(
        classify("classifier", "logits", 1, floats(4, 1, 3, 2), "probs", 10));
    assertEquals(List.of(1L, 4L), response.getOutputs(0).getShapeList());
    String[] classes = stringsOf(response.getRawOutputContents(0));
    assertEquals(List.of("cat", "bird", "fish", "dog"),
        List.of(classes).stream().map(c -> c.substring(c.lastIndexOf(':') + 1)).toList());
  }

  @Test
  void integersRankWithTiesInIndexOrderAndNoLabels() {
    ModelInferResponse response = gantry.blocking.modelInfer(
        classify("scores_int64", "x", 0, longs(3, 7, 7, -1, 0), "y", 3));
    assertEquals(List.of(3L), response.getOutputs(0).getShapeList());
    assertArrayEquals(new String[] {"7:1", "7:2", "3:0"},
        stringsOf(response.getRawOutputContents(0)));
  }

  @Test
  void bytesOutputsAreRefused() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> gantry.blocking.modelInfer(classify("text", "x", 1, strings("a"), "y", 1)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("outputs[0].parameter 'classification': output 'y' is BYTES; classification "
        + "ranks only integer, FP32 and FP64 outputs", e.getStatus().getDescription());
  }

  @Test
  void aClassCountBelowOneOrNotAnIntegerIsRefused() {
    StatusRuntimeException zero = assertThrows(StatusRuntimeException.class,
        () -> gantry.blocking.modelInfer(
            classify("classifier", "logits", 1, floats(1, 2, 3, 4), "probs", 0)));
    assertEquals(Status.Code.INVALID_ARGUMENT, zero.getStatus().getCode());
    assertEquals("outputs[0].parameter 'classification' must be a class count of at least 1, "
        + "got 0", zero.getStatus().getDescription());

    ModelInferRequest text = classify("classifier", "logits", 1, floats(1, 2, 3, 4), "probs", 1)
        .toBuilder()
        .setOutputs(0, InferRequestedOutputTensor.newBuilder().setName("probs")
            .putParameters("classification",
                InferParameter.newBuilder().setStringParam("2").build()))
        .build();
    StatusRuntimeException string = assertThrows(StatusRuntimeException.class,
        () -> gantry.blocking.modelInfer(text));
    assertEquals(Status.Code.INVALID_ARGUMENT, string.getStatus().getCode());
    assertEquals("outputs[0].parameter 'classification' must be an int64_param or uint64_param, "
        + "got string_param", string.getStatus().getDescription());
  }

  @Test
  void serverMetadataListsTheExtension() {
    assertTrue(gantry.blocking.serverMetadata(ServerMetadataRequest.getDefaultInstance())
        .getExtensionsList().contains("classification"));
  }

  @Test
  void theJavaClientAsksForAndReadsClassifications() throws Exception {
    try (InferenceClient client =
        InferenceClient.builder().target("127.0.0.1:" + gantry.server.port()).build()) {
      InferOutput probs = client.infer(InferRequest.builder("classifier")
              .input(InferInput.fp32("logits", new float[] {0, 2, 0, 1}, 1, 4))
              .output("probs", OutputOption.classCount(2))
              .build())
          .output("probs");
      float[] expected = softmax(0, 2, 0, 1);
      List<Classification> top = probs.asClassifications();
      assertEquals(2, top.size());
      assertEquals(expected[1], top.get(0).value(), 1e-5);
      assertEquals(1, top.get(0).index());
      assertEquals(Optional.of("dog"), top.get(0).label());
      assertEquals(expected[3], top.get(1).value(), 1e-5);
      assertEquals(3, top.get(1).index());
      assertEquals(Optional.of("fish"), top.get(1).label());
    }
  }

  /** A request for one input (batch 0 when the model does not batch) and one classified output. */
  private static ModelInferRequest classify(String model, String input, long batch,
      com.google.protobuf.ByteString data, String output, long classCount) {
    String datatype = model.equals("classifier") ? "FP32"
        : model.equals("text") ? "BYTES" : "INT64";
    long[] shape = model.equals("classifier") ? new long[] {batch, 4}
        : model.equals("text") ? new long[] {batch, 1} : new long[] {5};
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input(input, datatype, shape))
        .addRawInputContents(data)
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName(output)
            .putParameters("classification",
                InferParameter.newBuilder().setInt64Param(classCount).build()))
        .build();
  }

  private static float[] softmax(float... logits) {
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l);
    }
    float[] p = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = (float) (Math.exp(logits[i]) / sum);
    }
    return p;
  }

  /** A {@code value:index:label} string whose value Triton-style has six decimals. */
  private static void assertClass(String actual, float expected, String indexAndLabel) {
    String[] parts = actual.split(":", 2);
    assertTrue(parts[0].matches("\\d+\\.\\d{6}"), actual);
    assertEquals(expected, Double.parseDouble(parts[0]), 1e-5, actual);
    assertEquals(indexAndLabel, parts[1]);
  }
}
