package dev.gantry.backend.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gantry.modelgen.OnnxModelBuilder;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.modelgen.RandomValues;
import dev.gantry.spi.BytesElements;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ExecuteTest {
  @TempDir Path root;

  private final OnnxRuntimeBackend backend = new OnnxRuntimeBackend();

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"UINT16", "UINT32", "UINT64", "BYTES"},
      mode = EnumSource.Mode.EXCLUDE)
  void everyCreatableFixedSizeTypeRoundTripsExactly(DataType type) throws Exception {
    long[] shape = {2, 3};
    byte[] bytes = new byte[6 * type.elementSize()];
    new Random(type.ordinal()).nextBytes(bytes);
    if (type == DataType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (bytes[i] & 1);
      }
    }
    Tensor heap = new Tensor(type, shape, ByteBuffer.wrap(bytes));
    Tensor direct = TestTensors.direct(heap);

    for (Tensor input : List.of(heap, direct, readOnly(heap), readOnly(direct))) {
      Tensor output = runIdentity(type, shape, input);

      assertEquals(type, output.dataType());
      assertArrayEquals(shape, output.shape());
      assertEquals(ByteBuffer.wrap(bytes), output.data());
    }
  }

  @Test
  void bytesRoundTripAsUtf8Text() throws Exception {
    long[] shape = {2, 2};
    Tensor input = TestTensors.bytes(shape, "plain", "", "nul\0inside", "😀 ü");

    Tensor output = runIdentity(DataType.BYTES, shape, input);

    assertEquals(DataType.BYTES, output.dataType());
    assertArrayEquals(shape, output.shape());
    assertEquals(input.data(), output.data());
  }

  @Test
  void bytesThatAreNotUtf8AreRefused() throws Exception {
    long[] shape = {2, 1};
    Tensor input =
        new Tensor(
            DataType.BYTES, shape, BytesElements.join(new byte[][] {{'o', 'k'}, {(byte) 0xc3}}));

    try (ModelInstance instance = load(OnnxModels.identity("in", "out", DataType.BYTES, -1, 1))) {
      InferenceException error =
          assertThrows(
              InferenceException.class,
              () -> instance.execute(Map.of("in", input), Set.of("out"), ComputePhases.IGNORED));

      assertEquals(
          "input 'in' element 1 is not valid UTF-8; ONNX Runtime strings must be UTF-8 text",
          error.getMessage());
    }
  }

  @Test
  void unsignedOutputsAreReadExactly() throws Exception {
    long[] shape = {3};
    try (ModelInstance u16 = load(OnnxModels.cast(DataType.INT32, DataType.UINT16, -1));
        ModelInstance u32 = load(OnnxModels.cast(DataType.INT32, DataType.UINT32, -1));
        ModelInstance u64 = load(OnnxModels.cast(DataType.INT64, DataType.UINT64, -1))) {
      Tensor small = TestTensors.int32(shape, 0, 1, 65535);
      Tensor negative = TestTensors.int64(shape, 5, -1, Long.MIN_VALUE);

      Tensor uint16 = run(u16, Map.of("input", small), "output");
      Tensor uint32 = run(u32, Map.of("input", small), "output");
      Tensor uint64 = run(u64, Map.of("input", negative), "output");

      assertEquals(DataType.UINT16, uint16.dataType());
      assertEquals(little(0, 0, 1, 0, 0xff, 0xff), uint16.data());
      assertEquals(DataType.UINT32, uint32.dataType());
      assertEquals(small.data(), uint32.data());
      assertEquals(DataType.UINT64, uint64.dataType());
      assertEquals(negative.data(), uint64.data());
    }
  }

  @Test
  void addSubComputesABatchOfRows() throws Exception {
    long[] shape = {3, 2};
    try (ModelInstance instance = load(OnnxModels.addSub(DataType.FP32, -1, 2))) {
      Map<String, Tensor> outputs =
          instance.execute(
              Map.of(
                  "INPUT0", TestTensors.fp32(shape, 1, 2, 3, 4, 5, 6),
                  "INPUT1", TestTensors.fp32(shape, 0.5f, 1, 1.5f, 2, 2.5f, 3)),
              Set.of("OUTPUT0", "OUTPUT1"),
              ComputePhases.IGNORED);

      assertArrayEquals(shape, outputs.get("OUTPUT0").shape());
      assertArrayEquals(
          new float[] {1.5f, 3, 4.5f, 6, 7.5f, 9}, TestTensors.floats(outputs.get("OUTPUT0")));
      assertArrayEquals(
          new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, TestTensors.floats(outputs.get("OUTPUT1")));
    }
  }

  @Test
  void addSubInInt32() throws Exception {
    long[] shape = {2, 2};
    try (ModelInstance instance = load(OnnxModels.addSub(DataType.INT32, -1, 2))) {
      Map<String, Tensor> outputs =
          instance.execute(
              Map.of(
                  "INPUT0", TestTensors.int32(shape, 10, 20, -30, Integer.MAX_VALUE),
                  "INPUT1", TestTensors.int32(shape, 1, 2, 3, 1)),
              Set.of("OUTPUT0", "OUTPUT1"),
              ComputePhases.IGNORED);

      assertEquals(DataType.INT32, outputs.get("OUTPUT0").dataType());
      assertArrayEquals(
          new int[] {11, 22, -27, Integer.MIN_VALUE}, TestTensors.ints(outputs.get("OUTPUT0")));
      assertArrayEquals(
          new int[] {9, 18, -33, Integer.MAX_VALUE - 1}, TestTensors.ints(outputs.get("OUTPUT1")));
    }
  }

  @Test
  void onlyTheRequestedOutputsAreReturned() throws Exception {
    long[] shape = {1, 2};
    try (ModelInstance instance = load(OnnxModels.addSub(DataType.FP32, -1, 2))) {
      Map<String, Tensor> outputs =
          instance.execute(
              Map.of(
                  "INPUT0", TestTensors.fp32(shape, 5, 7),
                  "INPUT1", TestTensors.fp32(shape, 1, 2)),
              Set.of("OUTPUT1"),
              ComputePhases.IGNORED);

      assertEquals(Set.of("OUTPUT1"), outputs.keySet());
      assertArrayEquals(new float[] {4, 5}, TestTensors.floats(outputs.get("OUTPUT1")));
    }
  }

  @Test
  void mixedModelHandlesThreeDatatypesInOneBatch() throws Exception {
    try (ModelInstance instance = load(OnnxModels.mixed())) {
      Map<String, Tensor> outputs =
          instance.execute(
              Map.of(
                  "features",
                      TestTensors.fp32(new long[] {3, 4}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
                  "offset", TestTensors.int64(new long[] {3, 1}, 100, -1, 0),
                  "label", TestTensors.bytes(new long[] {3, 1}, "cat", "dog", "")),
              Set.of("scores", "label_out"),
              ComputePhases.IGNORED);

      Tensor scores = outputs.get("scores");
      assertArrayEquals(new long[] {3, 4}, scores.shape());
      assertArrayEquals(
          new float[] {100, 101, 102, 103, 3, 4, 5, 6, 8, 9, 10, 11}, TestTensors.floats(scores));
      Tensor labels = outputs.get("label_out");
      assertEquals(DataType.BYTES, labels.dataType());
      assertArrayEquals(new long[] {3, 1}, labels.shape());
      assertEquals(List.of("cat", "dog", ""), TestTensors.strings(labels));
    }
  }

  @Test
  void scalarInAndOut() throws Exception {
    try (ModelInstance instance = load(OnnxModels.scalarIncrement())) {
      Tensor y = run(instance, Map.of("x", TestTensors.int64(new long[0], -8)), "y");

      assertEquals(0, y.rank());
      assertArrayEquals(new long[] {-7}, TestTensors.longs(y));
    }
  }

  @Test
  void oddNamesWork() throws Exception {
    try (ModelInstance instance = load(OnnxModels.oddNames())) {
      Tensor output =
          run(instance, Map.of("input:0", TestTensors.fp32(new long[] {1, 3}, 1, 2, 3)), "a/b.c");

      assertArrayEquals(new float[] {1, 2, 3}, TestTensors.floats(output));
    }
  }

  @Test
  void outputShapeComesFromTheResult() throws Exception {
    try (ModelInstance instance = load(OnnxModels.fixedTranspose())) {
      Tensor y =
          run(instance, Map.of("x", TestTensors.fp32(new long[] {2, 3}, 1, 2, 3, 4, 5, 6)), "y");

      assertArrayEquals(new long[] {3, 2}, y.shape());
      assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, TestTensors.floats(y));
    }
  }

  @Test
  void mlpMatchesOnnxRuntimeRunDirectly() throws Exception {
    byte[] model = OnnxModels.mlp(16, 32, 2, 4, 11);
    int rows = 5;
    float[] features = RandomValues.gaussian(rows * 16, 3);
    long[] shape = {rows, 16};

    Tensor served;
    try (ModelInstance instance = load(model)) {
      served = run(instance, Map.of("input", TestTensors.fp32(shape, features)), "output");
    }

    assertArrayEquals(new long[] {rows, 4}, served.shape());
    assertArrayEquals(direct(model, shape, features), TestTensors.floats(served));
  }

  @Test
  void aDirectInputAtAnAddressNotAlignedToItsElementsComputesAsAnAlignedOne() throws Exception {
    byte[] model = OnnxModels.mlp(16, 32, 2, 4, 11);
    int rows = 3;
    float[] features = RandomValues.gaussian(rows * 16, 5);
    long[] shape = {rows, 16};
    Tensor aligned = TestTensors.fp32(shape, features);
    ByteBuffer memory = ByteBuffer.allocateDirect(aligned.byteSize() + 1);
    ByteBuffer offByOne = memory.slice(1, aligned.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    offByOne.put(aligned.data().duplicate()).flip();
    assertEquals(1, offByOne.alignmentOffset(0, Float.BYTES), "a misaligned tensor, as a"
        + " raw_input_contents aliased in a parsed request can be");

    Tensor served;
    try (ModelInstance instance = load(model)) {
      served = run(instance, Map.of("input", new Tensor(DataType.FP32, shape, offByOne)), "output");
    }

    assertArrayEquals(direct(model, shape, features), TestTensors.floats(served));
  }

  @Test
  void repeatedRunsOfOneKindEachReturnTheirOwnOutputs() throws Exception {
    try (ModelInstance instance = load(OnnxModels.addSub(DataType.FP32, -1, 4))) {
      long[] shape = {1, 4};
      List<Tensor> sums = new ArrayList<>();
      for (int run = 0; run < 4; run++) {
        sums.add(run(instance, Map.of("INPUT0", TestTensors.fp32(shape, run, run, run, run),
            "INPUT1", TestTensors.fp32(shape, 1, 2, 3, 4)), "OUTPUT0"));
      }
      for (int run = 0; run < 4; run++) {
        assertArrayEquals(new float[] {run + 1, run + 2, run + 3, run + 4},
            TestTensors.floats(sums.get(run)), "run " + run + ", read after the later runs");
      }
    }
  }

  @Test
  void outputsWhoseShapesDependOnInputValuesComeOutRightRunAfterRun() throws Exception {
    byte[] model = new OnnxModelBuilder("reshape")
        .input("data", DataType.FP32, 16)
        .input("shape", DataType.INT64, 2)
        .output("out", DataType.FP32, -1, -1)
        .node("Reshape", List.of("data", "shape"), List.of("out"))
        .build();
    float[] data = new float[16];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    try (ModelInstance instance = load(model)) {
      for (long[] target : new long[][] {{2, 8}, {2, 8}, {4, 4}, {2, 8}, {4, 4}, {16, 1}}) {
        Tensor out = run(instance, Map.of("data", TestTensors.fp32(new long[] {16}, data),
            "shape", TestTensors.int64(new long[] {2}, target)), "out");
        assertArrayEquals(target, out.shape());
        assertArrayEquals(data, TestTensors.floats(out));
      }
    }
  }

  @Test
  void phasesAreMarkedAroundTheRun() throws Exception {
    List<String> marks = new ArrayList<>();
    ComputePhases recording =
        new ComputePhases() {
          @Override
          public void inputsReady() {
            marks.add("inputsReady");
          }

          @Override
          public void inferenceDone() {
            marks.add("inferenceDone");
          }
        };

    try (ModelInstance instance = load(OnnxModels.scalarIncrement())) {
      instance.execute(Map.of("x", TestTensors.int64(new long[0], 1)), Set.of("y"), recording);
    }

    assertEquals(List.of("inputsReady", "inferenceDone"), marks);
  }

  @Test
  void onnxRuntimeFailuresBecomeInferenceExceptions() throws Exception {
    List<String> marks = new ArrayList<>();
    ComputePhases recording =
        new ComputePhases() {
          @Override
          public void inputsReady() {
            marks.add("inputsReady");
          }

          @Override
          public void inferenceDone() {
            marks.add("inferenceDone");
          }
        };
    try (ModelInstance instance = load(OnnxModels.mixed())) {
      Map<String, Tensor> disagreeingBatches =
          Map.of(
              "features", TestTensors.fp32(new long[] {2, 4}, new float[8]),
              "offset", TestTensors.int64(new long[] {3, 1}, 1, 2, 3),
              "label", TestTensors.bytes(new long[] {2, 1}, "a", "b"));

      InferenceException error =
          assertThrows(
              InferenceException.class,
              () -> instance.execute(disagreeingBatches, Set.of("scores"), recording));

      OrtException cause = assertInstanceOf(OrtException.class, error.getCause());
      assertEquals(cause.getMessage(), error.getMessage());
      assertTrue(error.getMessage().contains("broadcast"), error::getMessage);
      assertEquals(List.of("inputsReady"), marks);
    }
  }

  @Test
  void anInstanceRunsManyTimes() throws Exception {
    try (ModelInstance instance = load(OnnxModels.scalarIncrement())) {
      for (long i = 0; i < 200; i++) {
        Tensor y = run(instance, Map.of("x", TestTensors.int64(new long[0], i)), "y");
        assertArrayEquals(new long[] {i + 1}, TestTensors.longs(y));
      }
    }
  }

  @Test
  void heapInputsOfGrowingAndShrinkingBatchesReuseTheInstancesMemoryCorrectly() throws Exception {
    try (ModelInstance instance = load(OnnxModels.addSub(DataType.FP32, -1, 2))) {
      for (int rows : new int[] {1, 5, 2, 9, 3}) {
        float[] a = new float[rows * 2];
        float[] b = new float[rows * 2];
        float[] sum = new float[rows * 2];
        for (int i = 0; i < a.length; i++) {
          a[i] = rows * 100 + i;
          b[i] = i;
          sum[i] = a[i] + b[i];
        }
        long[] shape = {rows, 2};
        Map<String, Tensor> outputs = instance.execute(
            Map.of("INPUT0", TestTensors.fp32(shape, a), "INPUT1", TestTensors.fp32(shape, b)),
            Set.of("OUTPUT0"),
            ComputePhases.IGNORED);
        assertArrayEquals(sum, TestTensors.floats(outputs.get("OUTPUT0")), "rows " + rows);
      }
    }
  }

  private ModelInstance load(byte[] model) throws Exception {
    return backend.load(TestModels.write(root, "m" + System.nanoTime(), model));
  }

  private Tensor runIdentity(DataType type, long[] shape, Tensor input) throws Exception {
    try (ModelInstance instance = load(OnnxModels.identity("in", "out", type, -1, shape[1]))) {
      return run(instance, Map.of("in", input), "out");
    }
  }

  private static Tensor run(ModelInstance instance, Map<String, Tensor> inputs, String output)
      throws Exception {
    return instance.execute(inputs, Set.of(output), ComputePhases.IGNORED).get(output);
  }

  private static Tensor readOnly(Tensor tensor) {
    return new Tensor(tensor.dataType(), tensor.shape(), tensor.data().asReadOnlyBuffer());
  }

  private static ByteBuffer little(int... bytes) {
    ByteBuffer buffer = ByteBuffer.allocate(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int b : bytes) {
      buffer.put((byte) b);
    }
    return buffer.flip();
  }

  /** The model's result from ONNX Runtime's own API, one intra-op thread as the backend uses. */
  private static float[] direct(byte[] model, long[] shape, float[] features) throws Exception {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = environment.createSession(model, options);
          OnnxTensor input =
              OnnxTensor.createTensor(environment, FloatBuffer.wrap(features), shape);
          OrtSession.Result result = session.run(Map.of("input", input))) {
        FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] values = new float[output.remaining()];
        output.get(values);
        return values;
      }
    }
  }
}
