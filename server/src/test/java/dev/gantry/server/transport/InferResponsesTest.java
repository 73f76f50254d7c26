package dev.gantry.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.server.error.InternalException;
import dev.gantry.server.model.ClassLabels;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.server.validation.ValidRequest;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Encoding a finished request's outputs, and refusing outputs that do not fit the signature. */
class InferResponsesTest {
  private static final LoadedVersion MODEL = new LoadedVersion("m", 3,
      ModelConfig.newBuilder().setMaxBatchSize(8).build(),
      new ModelSignature(List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 2})),
          List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 2}))),
      List.of("CPU"), null, null, ClassLabels.NONE);

  /** A validated request of {@code batchSize} items asking for {@code y}. */
  private static ValidRequest askingForY(long batchSize) {
    return new ValidRequest(Map.of(), List.of("y"), Map.of(), Map.of(), batchSize, 1, 0);
  }

  private static Tensor fp32(long rows, long width) {
    ByteBuffer data = ByteBuffer.allocate((int) (rows * width * 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * width; i++) {
      data.putFloat(i);
    }
    return new Tensor(DataType.FP32, new long[] {rows, width}, data.flip());
  }

  @Test
  void encodesEachOutputAsRawContentsWithItsShapeAndDatatype() {
    ModelInferResponse response =
        InferResponses.encode(MODEL, "req-1", askingForY(2), Map.of("y", fp32(2, 2)));

    assertEquals("m", response.getModelName());
    assertEquals("3", response.getModelVersion());
    assertEquals("req-1", response.getId());
    assertEquals("y", response.getOutputs(0).getName());
    assertEquals("FP32", response.getOutputs(0).getDatatype());
    assertEquals(List.of(2L, 2L), response.getOutputs(0).getShapeList());
    assertEquals(16, response.getRawOutputContents(0).size());
    assertEquals(3f, response.getRawOutputContents(0).asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN).getFloat(12));
  }

  @Test
  void anOutputThatDoesNotFitFailsWithInternalNamingIt() {
    assertEquals("model 'm' version 3 returned a malformed result: output 'y' is missing",
        assertThrows(InternalException.class,
            () -> InferResponses.encode(MODEL, "", askingForY(2), Map.of())).getMessage());
    assertEquals("model 'm' version 3 returned a malformed result: output 'y' has shape [2,3] "
        + "but the model declares [-1,2]", assertThrows(InternalException.class,
            () -> InferResponses.encode(MODEL, "", askingForY(2), Map.of("y", fp32(2, 3))))
        .getMessage());
    assertEquals("model 'm' version 3 returned a malformed result: output 'y' has 1 items in "
        + "dimension 0 but the request has batch size 2", assertThrows(InternalException.class,
            () -> InferResponses.encode(MODEL, "", askingForY(2), Map.of("y", fp32(1, 2))))
        .getMessage());
  }
}
