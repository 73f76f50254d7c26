package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.floatsOf;
import static dev.gantry.server.e2e.Tensors.output;
import static dev.gantry.server.e2e.Tensors.input;
import static dev.gantry.server.e2e.Tensors.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModels;
import com.google.common.util.concurrent.ListenableFuture;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.InferStatistics;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelStatisticsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that pass the server's validation but that the runtime refuses as invalid for the model
 * are the caller's fault: INVALID_ARGUMENT with a message about the request, never INTERNAL with
 * the runtime's internals, and the server keeps serving; in a dynamic batch, only the request at
 * fault fails.
 */
class BackendInvalidInputTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    new TestRepository(repository)
        .onnx("conv", 1, OnnxModels.conv1x1())
        .onnx("mixed_batched", 1, OnnxModels.mixed())
        .config("mixed_batched", """
            max_batch_size: 8
            dynamic_batching {
              preferred_batch_size: [ 3 ]
              max_queue_delay_microseconds: 5000000
            }
            """);
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  /** A BYTES element of two bytes that are not UTF-8. */
  private static final byte[] NOT_UTF8 = {(byte) 0xC3, (byte) 0x28};

  @Test
  void aBatchTheRuntimeRefusesRunsAgainWithoutTheRequestAtFault() throws Exception {
    GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub async =
        GRPCInferenceServiceGrpc.newFutureStub(gantry.channel);
    ListenableFuture<ModelInferResponse> first =
        async.modelInfer(mixed("mixed_batched", 10, "cat".getBytes(StandardCharsets.UTF_8)));
    ListenableFuture<ModelInferResponse> culprit =
        async.modelInfer(mixed("mixed_batched", 20, NOT_UTF8));
    ListenableFuture<ModelInferResponse> last =
        async.modelInfer(mixed("mixed_batched", 30, "dog".getBytes(StandardCharsets.UTF_8)));

    assertEquals(11, floatsOf(output(first.get(30, TimeUnit.SECONDS), "scores"))[0]);
    assertEquals(31, floatsOf(output(last.get(30, TimeUnit.SECONDS), "scores"))[0]);
    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> culprit.get(30, TimeUnit.SECONDS));
    Status status = Status.fromThrowable(failed.getCause());
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
    assertEquals("model 'mixed_batched' version 1 cannot take this input: input 'label' element 0 "
        + "is not valid UTF-8; ONNX Runtime strings must be UTF-8 text", status.getDescription());

    InferStatistics statistics = gantry.blocking.modelStatistics(
            ModelStatisticsRequest.newBuilder().setName("mixed_batched").build())
        .getModelStats(0).getInferenceStats();
    assertEquals(2, statistics.getSuccess().getCount(), "the two good requests succeeded");
    assertEquals(1, statistics.getFail().getCount(), "only the request at fault failed");
  }

  /** A request of one row to a model of {@link OnnxModels#mixed}'s signature. */
  private static ModelInferRequest mixed(String model, long offset, byte[] text) {
    ByteBuffer label = ByteBuffer.allocate(4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    label.putInt(text.length).put(text).flip();
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input("features", "FP32", 1, 4))
        .addInputs(input("offset", "INT64", 1, 1))
        .addInputs(input("label", "BYTES", 1, 1))
        .addRawInputContents(floats(1, 2, 3, 4))
        .addRawInputContents(longs(offset))
        .addRawInputContents(ByteString.copyFrom(label))
        .build();
  }

  private static StatusRuntimeException refused(ModelInferRequest request) {
    return assertThrows(StatusRuntimeException.class, () -> gantry.blocking.modelInfer(request));
  }

  @Test
  void inputsTheRuntimeCannotComputeWithAreInvalidArguments() {
    ModelInferRequest empty = ModelInferRequest.newBuilder()
        .setModelName("conv")
        .addInputs(input("X", "FP32", 1, 1, 0, 0))
        .addRawInputContents(ByteString.EMPTY)
        .build();

    StatusRuntimeException e = refused(empty);

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals("model 'conv' version 1 cannot take this input: ONNX Runtime refused the inputs "
        + "'X' FP32 [1,1,0,0] as invalid for the model (a shape or value it cannot compute with)",
        e.getStatus().getDescription());
    String message = e.getStatus().getDescription();
    assertFalse(message.contains("node") || message.contains("ErrorCode"), message);
    assertEquals(2, gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 1f, 2f))
        .getRawOutputContentsCount());
  }

  @Test
  void bytesThatAreNotTheUtf8TextTheModelReadsAreInvalidArguments() {
    StatusRuntimeException e = refused(mixed("mixed", 5, NOT_UTF8));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals("model 'mixed' version 1 cannot take this input: input 'label' element 0 is not "
        + "valid UTF-8; ONNX Runtime strings must be UTF-8 text", e.getStatus().getDescription());
  }
}
