package dev.gantry.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.RandomValues;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.InvalidInputException;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

class ExecuteTest {
  private static final int FEATURES = 16;
  private static final int UNITS = 4;

  @TempDir static Path root;

  private static InstanceSpec dense;
  private static InstanceSpec mixed;
  private static InstanceSpec strings;
  private static InstanceSpec identities;

  private final TensorFlowBackend backend = new TensorFlowBackend();

  @BeforeAll
  static void writeModels() throws Exception {
    Random random = new Random(7);
    float[][] weights = new float[FEATURES][UNITS];
    for (float[] row : weights) {
      for (int j = 0; j < UNITS; j++) {
        row[j] = (float) random.nextGaussian();
      }
    }
    float[] bias = {0.5f, -1, 0.25f, 2};
    dense = TestRepository.write(root, "dense", dir -> SavedModels.dense(dir, weights, bias));
    mixed = TestRepository.write(root, "mixed", SavedModels::mixed);
    strings = TestRepository.write(root, "strings", SavedModels::strings);
    identities = TestRepository.write(root, "identities", SavedModels::identities);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"BYTES"},
      mode = EnumSource.Mode.EXCLUDE)
  void everyFixedSizeDatatypeRoundTripsExactly(DataType type) throws Exception {
    long[] shape = {3, 2};
    byte[] bytes = new byte[6 * type.elementSize()];
    new Random(type.ordinal()).nextBytes(bytes);
    if (type == DataType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (bytes[i] & 1);
      }
    }
    Tensor heap = new Tensor(type, shape, ByteBuffer.wrap(bytes));

    try (ModelInstance instance = identity(type)) {
      for (Tensor input : variants(heap)) {
        Tensor output = run(instance, Map.of("in", input), "out");

        assertEquals(type, output.dataType());
        assertArrayEquals(shape, output.shape());
        assertEquals(ByteBuffer.wrap(bytes), output.data());
      }
    }
  }

  @Test
  void bytesRoundTripExactlyWhetherOrNotTheyAreText() throws Exception {
    long[] shape = {3, 2};
    byte[] long100 = new byte[100];
    new Random(5).nextBytes(long100);
    Tensor heap =
        TestTensors.bytes(
            shape,
            "plain".getBytes(StandardCharsets.UTF_8),
            new byte[0],
            "nul\0inside".getBytes(StandardCharsets.UTF_8),
            "😀 ü".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xff, (byte) 0xfe, 0, (byte) 0xc3},
            long100);

    try (ModelInstance instance = identity(DataType.BYTES)) {
      for (Tensor input : variants(heap)) {
        Tensor output = run(instance, Map.of("in", input), "out");

        assertEquals(DataType.BYTES, output.dataType());
        assertArrayEquals(shape, output.shape());
        assertEquals(heap.data(), output.data());
      }
    }
  }

  @Test
  void denseMatchesTensorFlowJavaRunDirectly() throws Exception {
    int rows = 5;
    float[] features = RandomValues.gaussian(rows * FEATURES, 3);
    long[] shape = {rows, FEATURES};

    Tensor served;
    try (ModelInstance instance = backend.load(dense)) {
      served = run(instance, Map.of("x", TestTensors.fp32(shape, features)), "y");
    }

    assertEquals(DataType.FP32, served.dataType());
    assertArrayEquals(new long[] {rows, UNITS}, served.shape());
    assertArrayEquals(referenceDense(shape, features), TestTensors.floats(served));
  }

  @Test
  void aBatchGivesEachRowWhatItGetsAlone() throws Exception {
    int rows = 6;
    float[] features = RandomValues.gaussian(rows * FEATURES, 11);

    try (ModelInstance instance = backend.load(dense)) {
      float[] batch =
          TestTensors.floats(
              run(
                  instance,
                  Map.of("x", TestTensors.fp32(new long[] {rows, FEATURES}, features)),
                  "y"));
      for (int row = 0; row < rows; row++) {
        float[] alone =
            TestTensors.floats(
                run(
                    instance,
                    Map.of(
                        "x",
                        TestTensors.fp32(
                            new long[] {1, FEATURES},
                            Arrays.copyOfRange(features, row * FEATURES, (row + 1) * FEATURES))),
                    "y"));

        assertArrayEquals(alone, Arrays.copyOfRange(batch, row * UNITS, (row + 1) * UNITS));
      }
    }
  }

  @Test
  void anEmptyBatchGivesAnEmptyResult() throws Exception {
    try (ModelInstance instance = backend.load(dense)) {
      Tensor y = run(instance, Map.of("x", TestTensors.fp32(new long[] {0, FEATURES})), "y");

      assertArrayEquals(new long[] {0, UNITS}, y.shape());
      assertEquals(0, y.byteSize());
    }
  }

  @Test
  void mixedModelHandlesFourDatatypesInOneBatch() throws Exception {
    try (ModelInstance instance = backend.load(mixed)) {
      Map<String, Tensor> outputs =
          instance.execute(
              mixedInputs(3),
              Set.of("scores", "count", "negated", "label_out"),
              ComputePhases.IGNORED);

      assertEquals(Set.of("scores", "count", "negated", "label_out"), outputs.keySet());
      Tensor scores = outputs.get("scores");
      assertArrayEquals(new long[] {3, 4}, scores.shape());
      assertArrayEquals(
          new float[] {100, 101, 102, 103, 3, 4, 5, 6, 8, 9, 10, 11}, TestTensors.floats(scores));
      assertEquals(DataType.INT64, outputs.get("count").dataType());
      assertArrayEquals(new long[] {200, -2, 0}, TestTensors.longs(outputs.get("count")));
      assertEquals(DataType.BOOL, outputs.get("negated").dataType());
      assertArrayEquals(
          new boolean[] {false, true, false}, TestTensors.bools(outputs.get("negated")));
      Tensor labels = outputs.get("label_out");
      assertEquals(DataType.BYTES, labels.dataType());
      assertArrayEquals(new long[] {3, 1}, labels.shape());
      assertEquals(List.of("cat", "dog", ""), TestTensors.strings(labels));
    }
  }

  @Test
  void onlyTheRequestedOutputsAreReturned() throws Exception {
    try (ModelInstance instance = backend.load(mixed)) {
      Map<String, Tensor> outputs =
          instance.execute(mixedInputs(3), Set.of("negated"), ComputePhases.IGNORED);

      assertEquals(Set.of("negated"), outputs.keySet());
      assertArrayEquals(
          new boolean[] {false, true, false}, TestTensors.bools(outputs.get("negated")));
    }
  }

  @Test
  void stringInputsAreBytesNotText() throws Exception {
    byte[] notUtf8 = {(byte) 0xc3, 0, (byte) 0xff};
    try (ModelInstance instance = backend.load(strings)) {
      Map<String, Tensor> outputs =
          instance.execute(
              Map.of(
                  "text",
                  TestTensors.bytes(
                      new long[] {3}, "ü".getBytes(StandardCharsets.UTF_8), new byte[0], notUtf8)),
              Set.of("length", "greeting"),
              ComputePhases.IGNORED);

      assertArrayEquals(new int[] {2, 0, 3}, TestTensors.ints(outputs.get("length")));
      List<byte[]> greetings = TestTensors.elements(outputs.get("greeting"));
      assertEquals("hello, ü", new String(greetings.get(0), StandardCharsets.UTF_8));
      assertEquals("hello, ", new String(greetings.get(1), StandardCharsets.UTF_8));
      assertEquals(
          ByteBuffer.wrap(concat("hello, ".getBytes(StandardCharsets.UTF_8), notUtf8)),
          ByteBuffer.wrap(greetings.get(2)));
    }
  }

  @Test
  void phasesAreMarkedAroundTheRun() throws Exception {
    List<String> marks = new ArrayList<>();

    try (ModelInstance instance = backend.load(mixed)) {
      instance.execute(mixedInputs(1), Set.of("count"), recording(marks));
    }

    assertEquals(List.of("inputsReady", "inferenceDone"), marks);
  }

  @Test
  void inputsTensorFlowRefusesBecomeInvalidInputExceptions() throws Exception {
    List<String> marks = new ArrayList<>();
    Map<String, Tensor> disagreeingBatches =
        Map.of(
            "features", TestTensors.fp32(new long[] {2, 4}, new float[8]),
            "offset", TestTensors.int64(new long[] {3, 1}, 1, 2, 3),
            "flag", TestTensors.bool(new long[] {2, 1}, true, false),
            "label", TestTensors.bytes(new long[] {2, 1}, "a", "b"));

    try (ModelInstance instance = backend.load(mixed)) {
      InvalidInputException error =
          assertThrows(
              InvalidInputException.class,
              () -> instance.execute(disagreeingBatches, Set.of("scores"), recording(marks)));

      assertEquals(
          "TensorFlow refused the inputs as invalid for the model (a shape or value it cannot"
              + " compute with)",
          error.getMessage());
      assertTrue(
          error.getCause().getMessage().contains("Incompatible shapes"),
          () -> error.getCause().getMessage());
      assertEquals(List.of("inputsReady"), marks);
      assertEquals(
          List.of("cat", "dog", ""),
          TestTensors.strings(
              instance
                  .execute(mixedInputs(3), Set.of("label_out"), ComputePhases.IGNORED)
                  .get("label_out")));
    }
  }

  @Test
  void anInputOfAnotherDatatypeIsRefused() throws Exception {
    try (ModelInstance instance = backend.load(dense)) {
      InferenceException error =
          assertThrows(
              InferenceException.class,
              () -> run(instance, Map.of("x", TestTensors.int64(new long[] {1, 2}, 1, 2)), "y"));

      assertEquals("input 'x' is INT64 but the model takes FP32", error.getMessage());
    }
  }

  @Test
  void bytesThatDoNotFillTheShapeAreRefused() throws Exception {
    try (ModelInstance instance = backend.load(strings)) {
      InferenceException error =
          assertThrows(
              InferenceException.class,
              () ->
                  run(
                      instance,
                      Map.of("text", TestTensors.bytes(new long[] {3}, "a", "b")),
                      "length"));

      assertEquals("input 'text' of shape [3] needs 3 BYTES elements, got 2", error.getMessage());
    }
  }

  @Test
  void unknownNamesAreRefused() throws Exception {
    try (ModelInstance instance = backend.load(dense)) {
      Map<String, Tensor> inputs = Map.of("x", TestTensors.fp32(new long[] {0, FEATURES}));

      InferenceException output =
          assertThrows(InferenceException.class, () -> run(instance, inputs, "z"));
      InferenceException input =
          assertThrows(
              InferenceException.class,
              () -> run(instance, Map.of("w", TestTensors.fp32(new long[] {1}, 1)), "y"));

      assertEquals("the model has no output 'z'", output.getMessage());
      assertEquals("the model has no input 'w'", input.getMessage());
    }
  }

  @Test
  void anInstanceRunsManyTimes() throws Exception {
    String longText = "a string well past the twenty-two bytes stored inline ";
    try (ModelInstance instance = backend.load(strings)) {
      for (int i = 0; i < 300; i++) {
        Tensor greeting =
            run(
                instance,
                Map.of("text", TestTensors.bytes(new long[] {2}, longText + i, "#" + i)),
                "greeting");

        assertEquals(
            List.of("hello, " + longText + i, "hello, #" + i), TestTensors.strings(greeting));
      }
    }
  }

  private ModelInstance identity(DataType type) throws Exception {
    return backend.load(
        TestRepository.withParameters(
            identities, Map.of("signature_name", SavedModels.identitySignature(type))));
  }

  private static List<Tensor> variants(Tensor heap) {
    Tensor direct = TestTensors.direct(heap);
    return List.of(heap, direct, TestTensors.readOnly(heap), TestTensors.readOnly(direct));
  }

  private static Map<String, Tensor> mixedInputs(int rows) {
    float[] features = new float[rows * 4];
    for (int i = 0; i < features.length; i++) {
      features[i] = i;
    }
    long[] column = {rows, 1};
    return Map.of(
        "features", TestTensors.fp32(new long[] {rows, 4}, features),
        "offset", TestTensors.int64(column, Arrays.copyOf(new long[] {100, -1, 0}, rows)),
        "flag", TestTensors.bool(column, Arrays.copyOf(new boolean[] {true, false, true}, rows)),
        "label", TestTensors.bytes(column, Arrays.copyOf(new String[] {"cat", "dog", ""}, rows)));
  }

  private static Tensor run(ModelInstance instance, Map<String, Tensor> inputs, String output)
      throws Exception {
    return instance.execute(inputs, Set.of(output), ComputePhases.IGNORED).get(output);
  }

  private static ComputePhases recording(List<String> marks) {
    return new ComputePhases() {
      @Override
      public void inputsReady() {
        marks.add("inputsReady");
      }

      @Override
      public void inferenceDone() {
        marks.add("inferenceDone");
      }
    };
  }

  /**
   * The dense model's result from TensorFlow Java's own API, one thread each as the backend uses.
   */
  private static float[] referenceDense(long[] shape, float[] features) {
    ConfigProto config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(1)
            .setInterOpParallelismThreads(1)
            .build();
    try (SavedModelBundle bundle =
            SavedModelBundle.loader(dense.versionDirectory().resolve("model.savedmodel").toString())
                .withConfigProto(config)
                .load();
        TFloat32 x = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(features, true, false));
        Result result = bundle.function("serving_default").call(Map.of("x", x))) {
      TFloat32 y = (TFloat32) result.get("y").orElseThrow();
      float[] values = new float[(int) y.size()];
      y.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }
}
