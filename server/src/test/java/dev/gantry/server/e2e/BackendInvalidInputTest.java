package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.input;
import static dev.gantry.server.e2e.Tensors.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.ModelInferRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that pass the server's validation but that the runtime refuses as invalid for the model
 * are the caller's fault: INVALID_ARGUMENT with a message about the request, never INTERNAL with
 * the runtime's internals, and the server keeps serving.
 */
class BackendInvalidInputTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    new TestRepository(repository)
        .onnx("conv", 1, OnnxModels.conv1x1());
    gantry = RunningServer.on(new TestRepository(repository));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
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
    ByteBuffer label = ByteBuffer.allocate(4 + 2).order(ByteOrder.LITTLE_ENDIAN);
    label.putInt(2).put((byte) 0xC3).put((byte) 0x28).flip();
    ModelInferRequest request = ModelInferRequest.newBuilder()
        .setModelName("mixed")
        .addInputs(input("features", "FP32", 1, 4))
        .addInputs(input("offset", "INT64", 1, 1))
        .addInputs(input("label", "BYTES", 1, 1))
        .addRawInputContents(floats(1, 2, 3, 4))
        .addRawInputContents(longs(5))
        .addRawInputContents(ByteString.copyFrom(label))
        .build();

    StatusRuntimeException e = refused(request);

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    assertEquals("model 'mixed' version 1 cannot take this input: input 'label' element 0 is not "
        + "valid UTF-8; ONNX Runtime strings must be UTF-8 text", e.getStatus().getDescription());
  }
}
