package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.input;
import static dev.gantry.server.e2e.Tensors.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.gantry.spi.DataType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each malformed request gets its precise status and a message naming the field and the expected
 * value, and the server answers the next good request as if nothing happened.
 */
class ValidationTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  /** One bad request, the status it must get, and a fragment its message must contain. */
  record Case(String name, ModelInferRequest request, Status.Code code, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    new TestRepository(repository)
        .onnx("identity_2d", 1, OnnxModels.identity("x", "y", DataType.FP32, -1, -1))
        .onnx("identity_int8", 1, OnnxModels.identity("x", "y", DataType.INT8, -1, 2))
        .onnx("identity_fp16", 1, OnnxModels.identity("x", "y", DataType.FP16, -1, 2))
        .onnx("broken", 1, "this is not an onnx model".getBytes());
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static ModelInferRequest good() {
    return Tensors.addSub("simple", 1, 1f, 2f);
  }

  private static ModelInferRequest.Builder simple() {
    return good().toBuilder();
  }

  private static InferParameter int64(long value) {
    return InferParameter.newBuilder().setInt64Param(value).build();
  }

  private static ModelInferRequest label(ByteString raw, long rows) {
    return ModelInferRequest.newBuilder()
        .setModelName("mixed")
        .addInputs(input("features", "FP32", rows, 4))
        .addInputs(input("offset", "INT64", rows, 1))
        .addInputs(input("label", "BYTES", rows, 1))
        .addRawInputContents(floats(new float[(int) rows * 4]))
        .addRawInputContents(longs(new long[(int) rows]))
        .addRawInputContents(raw)
        .build();
  }

  private static ByteString bytesWithLength(int declared, String actual) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + actual.length()).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(declared).put(actual.getBytes());
    return ByteString.copyFrom(buffer.flip());
  }

  private static ModelInferRequest identity2d(long... shape) {
    return ModelInferRequest.newBuilder()
        .setModelName("identity_2d")
        .addInputs(input("x", "FP32", shape))
        .addRawInputContents(floats(1))
        .build();
  }

  static Stream<Case> cases() {
    Status.Code invalid = Status.Code.INVALID_ARGUMENT;
    InferTensorContents threeFloats =
        InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2).addFp32Contents(3).build();
    return Stream.of(
        new Case("unknown model", simple().setModelName("nope").build(),
            Status.Code.NOT_FOUND, "unknown model 'nope'"),
        new Case("empty model name", simple().setModelName("").build(),
            invalid, "model_name is required"),
        new Case("empty request", ModelInferRequest.getDefaultInstance(),
            invalid, "model_name is required"),
        new Case("unknown version", simple().setModelVersion("9").build(),
            Status.Code.NOT_FOUND, "no version '9'; its versions are [1]"),
        new Case("version that is not a number", simple().setModelVersion("../1").build(),
            Status.Code.NOT_FOUND, "no version '../1'"),
        new Case("version with a leading zero", simple().setModelVersion("01").build(),
            Status.Code.NOT_FOUND, "no version '01'; its versions are [1]"),
        new Case("input in a shared-memory region never registered, without raw contents",
            simple()
                .setInputs(0, simple().getInputs(0).toBuilder()
                    .putParameters("shared_memory_region",
                        InferParameter.newBuilder().setStringParam("region0").build())
                    .putParameters("shared_memory_byte_size", int64(64)))
                .clearRawInputContents().addRawInputContents(good().getRawInputContents(1))
                .build(),
            Status.Code.NOT_FOUND, "shared memory region 'region0' is not registered; register it "
                + "with SystemSharedMemoryRegister"),
        new Case("model that failed to load", ModelInferRequest.newBuilder()
            .setModelName("broken").build(), Status.Code.UNAVAILABLE, "model 'broken' has no ready version"),
        new Case("missing input", simple().removeInputs(1).clearRawInputContents()
            .addRawInputContents(good().getRawInputContents(0)).build(),
            invalid, "missing input 'INPUT1'"),
        new Case("unknown input", simple().addInputs(input("INPUT9", "FP32", 1, 16))
            .addRawInputContents(floats(new float[16])).build(),
            invalid, "unknown input 'INPUT9' for model 'simple' version 1; expected one of [INPUT0, INPUT1]"),
        new Case("duplicate input", simple().setInputs(1, input("INPUT0", "FP32", 1, 16)).build(),
            invalid, "input 'INPUT0' is given more than once"),
        new Case("wrong datatype", simple().setInputs(0, input("INPUT0", "FP64", 1, 16)).build(),
            invalid, "input 'INPUT0': datatype FP64 does not match the model's FP32"),
        new Case("unknown datatype", simple().setInputs(0, input("INPUT0", "FLOAT", 1, 16)).build(),
            invalid, "unknown datatype 'FLOAT'; the model expects FP32"),
        new Case("wrong rank", simple().setInputs(0, input("INPUT0", "FP32", 16)).build(),
            invalid, "shape [16] has rank 1 but the model expects rank 2 [-1,16]"),
        new Case("wrong dimension", simple().setInputs(0, input("INPUT0", "FP32", 1, 15)).build(),
            invalid, "dimension 1 is 15 but the model expects 16"),
        new Case("negative dimension", simple().setInputs(0, input("INPUT0", "FP32", -1, 16)).build(),
            invalid, "negative dimension -1 at index 0"),
        new Case("zero batch", simple().setInputs(0, input("INPUT0", "FP32", 0, 16))
            .setInputs(1, input("INPUT1", "FP32", 0, 16))
            .setRawInputContents(0, ByteString.EMPTY).setRawInputContents(1, ByteString.EMPTY).build(),
            invalid, "batch size (dimension 0) must be at least 1"),
        new Case("batch over max_batch_size", Tensors.addSub("simple", 9, 1f, 1f),
            invalid, "batch size 9 exceeds max_batch_size 8"),
        new Case("inputs disagree on batch", simple().setInputs(1, input("INPUT1", "FP32", 2, 16))
            .setRawInputContents(1, floats(new float[32])).build(),
            invalid, "input 'INPUT1' has batch size 2 but input 'INPUT0' has 1"),
        new Case("raw byte size", simple().setRawInputContents(0, floats(new float[15])).build(),
            invalid, "raw_input_contents[0] has 60 bytes but FP32 [1,16] needs 64"),
        new Case("raw count differs from inputs", simple().clearRawInputContents()
            .addRawInputContents(good().getRawInputContents(0)).build(),
            invalid, "raw_input_contents has 1 entries but inputs has 2"),
        new Case("raw and typed mixed", simple().setInputs(0, input("INPUT0", "FP32", 1, 16)
            .toBuilder().setContents(threeFloats)).build(),
            invalid, "input 'INPUT0' has contents while the request also uses raw_input_contents"),
        new Case("no data", simple().clearRawInputContents().build(),
            invalid, "input 'INPUT0' has no data"),
        new Case("typed values in the wrong field", simple().clearRawInputContents()
            .setInputs(0, input("INPUT0", "FP32", 1, 16).toBuilder()
                .setContents(InferTensorContents.newBuilder().addIntContents(1))).build(),
            invalid, "FP32 values belong in contents.fp32_contents, but contents.int_contents is set"),
        new Case("typed count", simple().clearRawInputContents()
            .setInputs(0, input("INPUT0", "FP32", 1, 16).toBuilder().setContents(threeFloats))
            .build(), invalid, "contents.fp32_contents has 3 values but the shape needs 16"),
        new Case("typed INT8 out of range", ModelInferRequest.newBuilder()
            .setModelName("identity_int8")
            .addInputs(input("x", "INT8", 1, 2).toBuilder().setContents(
                InferTensorContents.newBuilder().addIntContents(1).addIntContents(300))).build(),
            invalid, "contents.int_contents[1] = 300 is outside -128..127"),
        new Case("typed FP16", ModelInferRequest.newBuilder()
            .setModelName("identity_fp16")
            .addInputs(input("x", "FP16", 1, 2).toBuilder().setContents(
                InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2))).build(),
            invalid, "FP16 has no typed contents field; send it in raw_input_contents"),
        new Case("BYTES length past the end", label(bytesWithLength(100, "abc"), 1),
            invalid, "element 0 declares 100 bytes but only 3 remain"),
        new Case("BYTES truncated length prefix", label(ByteString.copyFrom(new byte[] {1, 0}), 1),
            invalid, "element 0 has a truncated 4-byte length prefix"),
        new Case("BYTES element count", label(Tensors.strings("only one"), 2),
            invalid, "holds 1 BYTES elements but shape [2,1] needs 2"),
        new Case("unknown requested output", simple().addOutputs(
            InferRequestedOutputTensor.newBuilder().setName("NOPE")).build(),
            invalid, "unknown output 'NOPE'"),
        new Case("duplicate requested output", simple()
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT0"))
            .addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT0")).build(),
            invalid, "output 'OUTPUT0' is requested more than once"),
        new Case("priority above the levels", simple().putParameters("priority", int64(3)).build(),
            invalid, "parameter 'priority' is 3 but model 'simple' version 1 has priority levels 1 to 1"),
        new Case("priority of the wrong type", simple().putParameters("priority",
            InferParameter.newBuilder().setStringParam("high").build()).build(),
            invalid, "parameter 'priority' must be an int64_param or uint64_param, got string_param"),
        new Case("negative timeout", simple().putParameters("timeout", int64(-5)).build(),
            invalid, "parameter 'timeout' must be 0 or more microseconds, got -5"),
        new Case("sequence batching parameter", simple().putParameters("sequence_id", int64(7)).build(),
            Status.Code.UNIMPLEMENTED, "parameter 'sequence_id' is not supported"),
        new Case("shared memory on an output without its byte size", simple().addOutputs(
            InferRequestedOutputTensor.newBuilder().setName("OUTPUT0")
                .putParameters("shared_memory_region",
                    InferParameter.newBuilder().setStringParam("region0").build())).build(),
            invalid, "output 'OUTPUT0': outputs[0].parameters need both 'shared_memory_region' "
                + "and 'shared_memory_byte_size'"),
        new Case("classification of no class", simple().addOutputs(
            InferRequestedOutputTensor.newBuilder().setName("OUTPUT0")
                .putParameters("classification", int64(0))).build(),
            Status.Code.INVALID_ARGUMENT,
            "outputs[0].parameter 'classification' must be a class count of at least 1"),
        new Case("shared memory on an input without its region", simple().setInputs(0,
            simple().getInputs(0).toBuilder()
                .putParameters("shared_memory_byte_size", int64(64))).build(),
            invalid, "input 'INPUT0': inputs[0].parameters need both 'shared_memory_region' "
                + "and 'shared_memory_byte_size'"),
        new Case("element count over the limit", identity2d(1, 1L << 40),
            Status.Code.RESOURCE_EXHAUSTED, "over the server's limit of 268435456"),
        new Case("element count overflowing 64 bits", identity2d(4, 1L << 62),
            invalid, "more elements than fit in a 64-bit count"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badRequestGetsItsStatusAndTheServerKeepsServing(Case bad) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> gantry.blocking.modelInfer(bad.request()));
    assertEquals(bad.code(), e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(bad.message()),
        "expected '" + bad.message() + "' in: " + e.getStatus().getDescription());
    assertEquals(2, gantry.blocking.modelInfer(good()).getRawOutputContentsCount());
  }
}
