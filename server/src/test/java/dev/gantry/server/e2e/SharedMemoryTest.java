package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.floatsOf;
import static dev.gantry.server.e2e.Tensors.input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.client.TensorDatatype;
import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.OutputOption;
import dev.gantry.client.SharedMemoryRange;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.CudaSharedMemoryRegisterRequest;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferInputTensor;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.proto.SystemSharedMemoryRegisterRequest;
import dev.gantry.proto.SystemSharedMemoryStatusRequest;
import dev.gantry.proto.SystemSharedMemoryStatusResponse;
import dev.gantry.proto.SystemSharedMemoryUnregisterRequest;
import dev.gantry.server.memory.SharedMemoryRegistry;
import dev.gantry.server.security.ClientMessages;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's system shared-memory extension over real gRPC: a real POSIX shared-memory object in
 * {@code /dev/shm}, written and read by the test, holding the inputs and receiving the outputs of
 * the example {@code simple} model (OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1, FP32
 * [1,16], 64 bytes each).
 */
class SharedMemoryTest {
  private static final int TENSOR = 64;

  @TempDir static Path repository;
  static RunningServer gantry;
  static String key;
  static Path object;
  static MappedByteBuffer memory;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    gantry = RunningServer.on(new TestRepository(repository));
    key = "/gantry-test-" + UUID.randomUUID();
    object = SharedMemoryRegistry.SYSTEM_DIRECTORY.resolve(key.substring(1));
    try (FileChannel channel = FileChannel.open(object, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4 * TENSOR);
    }
    memory.order(ByteOrder.LITTLE_ENDIAN);
  }

  @AfterEach
  void unregisterAll() {
    gantry.blocking.systemSharedMemoryUnregister(
        SystemSharedMemoryUnregisterRequest.getDefaultInstance());
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
    Files.deleteIfExists(object);
  }

  @Test
  void registerStatusAndUnregister() {
    register("whole", key, 0, 4 * TENSOR);
    register("outputs", key, 2 * TENSOR, 2 * TENSOR);
    SystemSharedMemoryStatusResponse all = gantry.blocking.systemSharedMemoryStatus(
        SystemSharedMemoryStatusRequest.getDefaultInstance());
    assertEquals(2, all.getRegionsCount());
    SystemSharedMemoryStatusResponse.RegionStatus outputs = all.getRegionsOrThrow("outputs");
    assertEquals(key, outputs.getKey());
    assertEquals(2 * TENSOR, outputs.getOffset());
    assertEquals(2 * TENSOR, outputs.getByteSize());
    assertEquals(Map.of("whole", SystemSharedMemoryStatusResponse.RegionStatus.newBuilder()
            .setName("whole").setKey(key).setOffset(0).setByteSize(4 * TENSOR).build()),
        gantry.blocking.systemSharedMemoryStatus(
            SystemSharedMemoryStatusRequest.newBuilder().setName("whole").build())
            .getRegionsMap());

    gantry.blocking.systemSharedMemoryUnregister(
        SystemSharedMemoryUnregisterRequest.newBuilder().setName("whole").build());
    assertEquals(java.util.Set.of("outputs"), gantry.blocking.systemSharedMemoryStatus(
        SystemSharedMemoryStatusRequest.getDefaultInstance()).getRegionsMap().keySet());
    gantry.blocking.systemSharedMemoryUnregister(
        SystemSharedMemoryUnregisterRequest.getDefaultInstance());
    assertEquals(0, gantry.blocking.systemSharedMemoryStatus(
        SystemSharedMemoryStatusRequest.getDefaultInstance()).getRegionsCount());
  }

  @Test
  void inputsAreReadFromAndOutputsWrittenToTheRegion() {
    register("io", key, 0, 4 * TENSOR);
    float[] a = sequence(1);
    float[] b = sequence(100);
    writeFloats(0, a);
    writeFloats(TENSOR, b);
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(inShm("INPUT0", "io", 0))
        .addInputs(inShm("INPUT1", "io", TENSOR))
        .addOutputs(outShm("OUTPUT0", "io", 2 * TENSOR, TENSOR))
        .addOutputs(outShm("OUTPUT1", "io", 3 * TENSOR, TENSOR))
        .build());
    assertArrayEquals(plus(a, b, 1), readFloats(2 * TENSOR));
    assertArrayEquals(plus(a, b, -1), readFloats(3 * TENSOR));
    assertEquals(2, response.getRawOutputContentsCount());
    assertEquals(ByteString.EMPTY, response.getRawOutputContents(0));
    assertEquals(ByteString.EMPTY, response.getRawOutputContents(1));
    ModelInferResponse.InferOutputTensor output1 = response.getOutputs(1);
    assertEquals("OUTPUT1", output1.getName());
    assertEquals("FP32", output1.getDatatype());
    assertEquals(java.util.List.of(1L, 16L), output1.getShapeList());
    assertEquals("io", output1.getParametersOrThrow("shared_memory_region").getStringParam());
    assertEquals(3 * TENSOR, output1.getParametersOrThrow("shared_memory_offset").getInt64Param());
    assertEquals(TENSOR, output1.getParametersOrThrow("shared_memory_byte_size").getInt64Param());
  }

  @Test
  void sharedMemoryAndRawTensorsMixInOneRequest() {
    register("io", key, 0, 4 * TENSOR);
    float[] a = sequence(-8);
    float[] b = sequence(3);
    writeFloats(TENSOR, b);
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(input("INPUT0", "FP32", 1, 16))
        .addInputs(inShm("INPUT1", "io", TENSOR))
        .addRawInputContents(floats(a))
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT0"))
        .addOutputs(outShm("OUTPUT1", "io", 3 * TENSOR, TENSOR))
        .build());
    assertArrayEquals(plus(a, b, 1), floatsOf(response.getRawOutputContents(0)));
    assertEquals(ByteString.EMPTY, response.getRawOutputContents(1));
    assertArrayEquals(plus(a, b, -1), readFloats(3 * TENSOR));
  }

  @Test
  void theJavaClientRegistersAndUsesRegions() throws Exception {
    float[] a = sequence(5);
    float[] b = sequence(-2);
    writeFloats(0, a);
    try (InferenceClient client =
        InferenceClient.builder().target("127.0.0.1:" + gantry.server.port()).build()) {
      client.registerSystemSharedMemory("client", key, 0, 4 * TENSOR);
      assertEquals(4 * TENSOR, client.systemSharedMemoryStatus("client").get("client")
          .getByteSize());
      InferResult result = client.infer(InferRequest.builder("simple")
          .input(InferInput.sharedMemory("INPUT0", TensorDatatype.FP32,
              SharedMemoryRange.of("client", TENSOR), 1, 16))
          .input(InferInput.fp32("INPUT1", b, 1, 16))
          .output("OUTPUT0", OutputOption.sharedMemory(
              new SharedMemoryRange("client", 2 * TENSOR, 2 * TENSOR)))
          .output("OUTPUT1")
          .build());
      assertEquals(new SharedMemoryRange("client", 2 * TENSOR, TENSOR),
          result.output("OUTPUT0").sharedMemory().orElseThrow());
      assertArrayEquals(plus(a, b, 1), readFloats(2 * TENSOR));
      assertArrayEquals(plus(a, b, -1), result.output("OUTPUT1").asFloats());
      IllegalStateException inMemory = assertThrows(IllegalStateException.class,
          () -> result.output("OUTPUT0").asFloats());
      assertEquals("output \"OUTPUT0\" was written to shared memory region \"client\" (64 bytes "
          + "at offset 128); read it there", inMemory.getMessage());
      client.unregisterSystemSharedMemory("");
      assertEquals(Map.of(), client.systemSharedMemoryStatus(""));
    }
  }

  @Test
  void serverMetadataListsTheExtension() {
    assertTrue(gantry.blocking.serverMetadata(ServerMetadataRequest.getDefaultInstance())
        .getExtensionsList().contains("system_shared_memory"));
  }

  @Test
  void registrationsThatAreRefused() {
    register("taken", key, 0, TENSOR);
    assertFails(Status.Code.ALREADY_EXISTS,
        "shared memory region 'taken' is already registered; unregister it first",
        () -> register("taken", key, 0, TENSOR));
    // The server replaces absolute paths in messages with <path>.
    assertFails(Status.Code.INVALID_ARGUMENT,
        "key '" + ClientMessages.PATH + "' is not a shared memory object name",
        () -> register("escape", "/../etc/passwd", 0, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT,
        "key '" + ClientMessages.PATH + "' is not a shared memory object name",
        () -> register("nested", "/a/b", 0, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT, "key '..' is not a shared memory object name",
        () -> register("dots", "..", 0, TENSOR));
    assertFails(Status.Code.NOT_FOUND, "shared memory object 'gantry-test-missing' does not exist",
        () -> register("missing", "/gantry-test-missing", 0, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT, "offset 200 plus byte_size 64 of region 'long' goes "
            + "beyond shared memory object '" + key.substring(1) + "' of 256 bytes",
        () -> register("long", key, 200, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT, "byte_size of region 'empty' is 0",
        () -> register("empty", key, 0, 0));
    assertFails(Status.Code.INVALID_ARGUMENT, "name is required",
        () -> register("", key, 0, TENSOR));
    assertFails(Status.Code.NOT_FOUND, "shared memory region 'nope' is not registered",
        () -> gantry.blocking.systemSharedMemoryStatus(
            SystemSharedMemoryStatusRequest.newBuilder().setName("nope").build()));
    assertFails(Status.Code.UNIMPLEMENTED, "CudaSharedMemoryRegister: CUDA shared memory is not "
            + "supported by Gantry",
        () -> gantry.blocking.cudaSharedMemoryRegister(
            CudaSharedMemoryRegisterRequest.getDefaultInstance()));
  }

  @Test
  void registeringMoreRegionsThanTheLimitIsRefused() {
    for (int i = 0; i < SharedMemoryRegistry.MAX_REGIONS; i++) {
      register("r" + i, key, 0, TENSOR);
    }
    assertFails(Status.Code.RESOURCE_EXHAUSTED, "cannot register region 'one-more': "
            + SharedMemoryRegistry.MAX_REGIONS + " shared memory regions are registered, the "
            + "server's limit",
        () -> register("one-more", key, 0, TENSOR));
  }

  @Test
  void inferenceRequestsThatAreRefused() {
    register("io", key, 0, 4 * TENSOR);
    register("small", key, 0, TENSOR / 2);
    assertFails(Status.Code.NOT_FOUND, "input 'INPUT0': shared memory region 'unknown' is not "
            + "registered",
        () -> infer(inShm("INPUT0", "unknown", 0), inShm("INPUT1", "io", TENSOR),
            "OUTPUT0", "io", 2 * TENSOR, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT, "input 'INPUT1': shared_memory_offset 224 plus "
            + "shared_memory_byte_size 64 goes beyond region 'io' of 256 bytes",
        () -> infer(inShm("INPUT0", "io", 0), inShm("INPUT1", "io", 224),
            "OUTPUT0", "io", 2 * TENSOR, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT, "input 'INPUT0': shared_memory_region 'io' has 32 "
            + "bytes but FP32 [1,16] needs 64",
        () -> infer(inShm("INPUT0", "io", 0, TENSOR / 2), inShm("INPUT1", "io", TENSOR),
            "OUTPUT0", "io", 2 * TENSOR, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT, "output 'OUTPUT0' has 64 bytes (FP32[1,16]) but "
            + "its shared_memory_byte_size is 32; give its region at least 64 bytes",
        () -> infer(inShm("INPUT0", "io", 0), inShm("INPUT1", "io", TENSOR),
            "OUTPUT0", "io", 2 * TENSOR, TENSOR / 2));
    assertFails(Status.Code.INVALID_ARGUMENT, "output 'OUTPUT0': shared_memory_offset 0 plus "
            + "shared_memory_byte_size 64 goes beyond region 'small' of 32 bytes",
        () -> infer(inShm("INPUT0", "io", 0), inShm("INPUT1", "io", TENSOR),
            "OUTPUT0", "small", 0, TENSOR));
    assertFails(Status.Code.INVALID_ARGUMENT, "input 'INPUT0' has contents while its parameters "
            + "place it in shared memory",
        () -> infer(inShm("INPUT0", "io", 0).toBuilder().setContents(
                dev.gantry.proto.InferTensorContents.newBuilder().addFp32Contents(1)).build(),
            inShm("INPUT1", "io", TENSOR), "OUTPUT0", "io", 2 * TENSOR, TENSOR));
  }

  private static void infer(InferInputTensor input0, InferInputTensor input1, String output,
      String region, long offset, long byteSize) {
    gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(input0)
        .addInputs(input1)
        .addOutputs(outShm(output, region, offset, byteSize))
        .build());
  }

  private static void register(String name, String key, long offset, long byteSize) {
    gantry.blocking.systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest.newBuilder()
        .setName(name).setKey(key).setOffset(offset).setByteSize(byteSize).build());
  }

  private static void assertFails(Status.Code code, String message, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run, message);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().startsWith(message), e.getStatus().toString());
  }

  private static InferInputTensor inShm(String name, String region, long offset) {
    return inShm(name, region, offset, TENSOR);
  }

  private static InferInputTensor inShm(String name, String region, long offset, long size) {
    return input(name, "FP32", 1, 16).toBuilder()
        .putAllParameters(sharedMemory(region, offset, size))
        .build();
  }

  private static InferRequestedOutputTensor outShm(
      String name, String region, long offset, long size) {
    return InferRequestedOutputTensor.newBuilder().setName(name)
        .putAllParameters(sharedMemory(region, offset, size))
        .build();
  }

  private static Map<String, InferParameter> sharedMemory(String region, long offset, long size) {
    return Map.of(
        "shared_memory_region", InferParameter.newBuilder().setStringParam(region).build(),
        "shared_memory_offset", InferParameter.newBuilder().setInt64Param(offset).build(),
        "shared_memory_byte_size", InferParameter.newBuilder().setInt64Param(size).build());
  }

  private static float[] sequence(float start) {
    float[] values = new float[16];
    for (int i = 0; i < values.length; i++) {
      values[i] = start + i;
    }
    return values;
  }

  private static float[] plus(float[] a, float[] b, int sign) {
    float[] sum = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      sum[i] = a[i] + sign * b[i];
    }
    return sum;
  }

  private static void writeFloats(int offset, float[] values) {
    for (int i = 0; i < values.length; i++) {
      memory.putFloat(offset + 4 * i, values[i]);
    }
  }

  private static float[] readFloats(int offset) {
    float[] values = new float[16];
    for (int i = 0; i < values.length; i++) {
      values[i] = memory.getFloat(offset + 4 * i);
    }
    return values;
  }
}
