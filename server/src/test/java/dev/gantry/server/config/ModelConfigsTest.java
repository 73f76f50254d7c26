package dev.gantry.server.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.DataType;
import dev.gantry.proto.ModelConfig;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading, completing and checking model configurations, with Triton's text format and rules. */
class ModelConfigsTest {
  private static final ModelSignature BATCHING = new ModelSignature(
      List.of(new TensorSpec("INPUT0", dev.gantry.spi.DataType.FP32, new long[] {-1, 16})),
      List.of(new TensorSpec("OUTPUT0", dev.gantry.spi.DataType.FP32, new long[] {-1, 16})));

  private static final ModelSignature FIXED = new ModelSignature(
      List.of(new TensorSpec("x", dev.gantry.spi.DataType.INT64, new long[] {})),
      List.of(new TensorSpec("y", dev.gantry.spi.DataType.INT64, new long[] {3})));

  private static ModelConfig parse(@TempDir Path dir, String text) throws Exception {
    Files.writeString(dir.resolve("config.pbtxt"), text);
    return ModelConfigs.read(dir).orElseThrow();
  }

  @Test
  void readsTritonTextFormat(@TempDir Path dir) throws Exception {
    ModelConfig config = parse(dir, """
        name: "simple"
        platform: "onnxruntime_onnx"
        max_batch_size: 8
        input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]
        output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 16 ] } ]
        dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }
        instance_group [ { count: 2 kind: KIND_CPU } ]
        parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
        optimization { execution_accelerators { gpu_execution_accelerator : [ { name : "tensorrt" } ] } }
        """);
    assertEquals(8, config.getMaxBatchSize());
    assertEquals(List.of(4, 8), config.getDynamicBatching().getPreferredBatchSizeList());
    assertEquals("1", config.getParametersOrThrow("intra_op_thread_count").getStringValue());
  }

  @Test
  void missingFileIsNoConfiguration(@TempDir Path dir) throws Exception {
    assertTrue(ModelConfigs.read(dir).isEmpty());
  }

  @Test
  void syntaxErrorNamesTheLine(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.pbtxt"), "name: \"x\"\nmax_batch_size: eight\n");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfigs.read(dir));
    assertTrue(e.getMessage().contains("2:"), e.getMessage());
  }

  @Test
  void completesAMissingConfigurationAsTritonDoes() throws Exception {
    ModelConfig config = ModelConfigs.complete(
        ModelConfig.getDefaultInstance(), "auto", "onnxruntime", "onnxruntime_onnx", BATCHING);
    assertEquals("auto", config.getName());
    assertEquals("onnxruntime_onnx", config.getPlatform());
    assertEquals(ModelConfigs.DEFAULT_MAX_BATCH_SIZE, config.getMaxBatchSize());
    assertTrue(config.hasDynamicBatching());
    assertEquals(List.of(16L), config.getInput(0).getDimsList());
    assertEquals(DataType.TYPE_FP32, config.getOutput(0).getDataType());
    ModelSignature served = ModelConfigs.servedSignature(config, BATCHING);
    assertArrayEquals(new long[] {-1, 16}, served.inputs().get(0).shape());
  }

  @Test
  void modelWithoutABatchDimensionIsNotBatched() throws Exception {
    ModelConfig config = ModelConfigs.complete(
        ModelConfig.getDefaultInstance(), "scalar", "onnxruntime", "onnxruntime_onnx", FIXED);
    assertEquals(0, config.getMaxBatchSize());
    assertEquals(List.of(), config.getInput(0).getDimsList());
    assertEquals(List.of(3L), config.getOutput(0).getDimsList());
  }

  @Test
  void rejectsAConfigurationThatContradictsTheModel() {
    ModelConfig wrongType = ModelConfig.newBuilder().setMaxBatchSize(8)
        .addInput(dev.gantry.proto.ModelInput.newBuilder().setName("INPUT0")
            .setDataType(DataType.TYPE_INT32).addDims(16))
        .build();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfigs.complete(
        wrongType, "m", "onnxruntime", "onnxruntime_onnx", BATCHING));
    assertTrue(e.getMessage().contains("TYPE_INT32 does not match the model's TYPE_FP32"),
        e.getMessage());
  }

  @Test
  void rejectsBatchingForAModelWithoutABatchDimension() {
    ModelConfig config = ModelConfig.newBuilder().setMaxBatchSize(4).build();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfigs.complete(
        config, "m", "onnxruntime", "onnxruntime_onnx", FIXED));
    assertTrue(e.getMessage().contains("set max_batch_size to 0"), e.getMessage());
  }

  @Test
  void rejectsWrongDims() {
    ModelConfig config = ModelConfig.newBuilder().setMaxBatchSize(8)
        .addInput(dev.gantry.proto.ModelInput.newBuilder().setName("INPUT0")
            .setDataType(DataType.TYPE_FP32).addDims(15))
        .build();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfigs.complete(
        config, "m", "onnxruntime", "onnxruntime_onnx", BATCHING));
    assertTrue(e.getMessage().contains("dims [15]"), e.getMessage());
  }

  @Test
  void rejectsAnInputTheModelDoesNotHave() {
    ModelConfig config = ModelConfig.newBuilder()
        .addInput(dev.gantry.proto.ModelInput.newBuilder().setName("nope")
            .setDataType(DataType.TYPE_INT64))
        .build();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfigs.complete(
        config, "m", "onnxruntime", "onnxruntime_onnx", FIXED));
    assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("[x]"),
        e.getMessage());
  }

  @Test
  void rejectsANameThatDiffersFromTheDirectory() {
    ModelConfig config = ModelConfig.newBuilder().setName("other").build();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfigs.complete(
        config, "m", "onnxruntime", "onnxruntime_onnx", FIXED));
    assertTrue(e.getMessage().contains("'other'"), e.getMessage());
  }

  @Test
  void rejectsPreferredBatchSizesAboveTheMaximum() {
    ModelConfig config = ModelConfig.newBuilder().setMaxBatchSize(4)
        .setDynamicBatching(dev.gantry.proto.ModelDynamicBatching.newBuilder()
            .addPreferredBatchSize(8))
        .build();
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfigs.complete(
        config, "m", "onnxruntime", "onnxruntime_onnx", BATCHING));
    assertTrue(e.getMessage().contains("preferred_batch_size 8"), e.getMessage());
  }

  @Test
  void batchingPolicyFollowsTritonDefaults() throws Exception {
    ModelConfig config = ModelConfig.newBuilder().setMaxBatchSize(8)
        .setDynamicBatching(dev.gantry.proto.ModelDynamicBatching.newBuilder()
            .setPriorityLevels(2).setDefaultPriorityLevel(2)
            .setMaxQueueDelayMicroseconds(100)
            .putPriorityQueuePolicy(1, dev.gantry.proto.ModelQueuePolicy.newBuilder()
                .setMaxQueueSize(3).build()))
        .build();
    var policy = BatchingPolicies.from(config, 50);
    assertTrue(policy.dynamicBatching());
    assertEquals(2, policy.priorityLevels());
    assertEquals(2, policy.defaultPriorityLevel());
    assertEquals(3, policy.level(1).maxQueueSize());
    assertEquals(50, policy.level(2).maxQueueSize());
    assertEquals(100_000, policy.maxQueueDelayNanos());
  }

  @Test
  void rejectsADefaultPriorityOutsideTheLevels() {
    ModelConfig config = ModelConfig.newBuilder().setMaxBatchSize(8)
        .setDynamicBatching(dev.gantry.proto.ModelDynamicBatching.newBuilder()
            .setPriorityLevels(2).setDefaultPriorityLevel(3))
        .build();
    assertThrows(ModelLoadException.class, () -> BatchingPolicies.from(config, 50));
  }

  @Test
  void instanceGroupsExpandPerDevice() throws Exception {
    ModelConfig config = ModelConfig.newBuilder()
        .addInstanceGroup(dev.gantry.proto.ModelInstanceGroup.newBuilder()
            .setKind(dev.gantry.proto.ModelInstanceGroup.Kind.KIND_GPU).setCount(2)
            .addGpus(0).addGpus(1))
        .addInstanceGroup(dev.gantry.proto.ModelInstanceGroup.newBuilder()
            .setKind(dev.gantry.proto.ModelInstanceGroup.Kind.KIND_CPU))
        .build();
    var placements = InstancePlacements.from(config);
    assertEquals(5, placements.size());
    assertEquals(dev.gantry.spi.DeviceKind.GPU, placements.get(0).kind());
    assertEquals(1, placements.get(3).deviceId());
    assertEquals(dev.gantry.spi.DeviceKind.CPU, placements.get(4).kind());
  }

  @Test
  void rejectsKindModel() {
    ModelConfig config = ModelConfig.newBuilder()
        .addInstanceGroup(dev.gantry.proto.ModelInstanceGroup.newBuilder()
            .setKind(dev.gantry.proto.ModelInstanceGroup.Kind.KIND_MODEL))
        .build();
    assertThrows(ModelLoadException.class, () -> InstancePlacements.from(config));
  }
}
