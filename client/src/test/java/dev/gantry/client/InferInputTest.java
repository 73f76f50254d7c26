package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferInputTest {
  @Test
  void rejectsDataThatDoesNotFitTheShape() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> InferInput.fp32("INPUT0", new float[5], 2, 3));
    assertEquals(
        "input \"INPUT0\": shape [2, 3] holds 6 elements but the data has 5", error.getMessage());

    assertThrows(
        IllegalArgumentException.class, () -> InferInput.strings("TEXT", List.of("a", "b"), 3));
    assertThrows(IllegalArgumentException.class, () -> InferInput.int64("X", new long[0], 1));
  }

  @Test
  void rejectsNegativeDimensions() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> InferInput.int32("X", new int[0], -1, 0));
    assertTrue(error.getMessage().contains("input \"X\": shape [-1, 0]"), error.getMessage());
  }

  @Test
  void acceptsEmptyAndScalarTensors() {
    assertEquals(0, InferInput.fp32("EMPTY", new float[0], 0, 16).contents().size());
    assertEquals(4, InferInput.fp32("SCALAR", new float[] {1f}).contents().size());
  }

  @Test
  void checksRawBuffersAgainstTheShape() {
    ByteBuffer twentyBytes = ByteBuffer.allocate(20);
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> InferInput.raw("RAW", TensorDatatype.FP32, twentyBytes, 2, 3));
    assertEquals(
        "input \"RAW\": shape [2, 3] holds 6 elements but the data has 5", error.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> InferInput.raw("RAW", TensorDatatype.INT64, ByteBuffer.allocate(12), 1));

    ByteBuffer truncated = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(5);
    truncated.flip();
    assertThrows(
        IllegalArgumentException.class,
        () -> InferInput.raw("TEXT", TensorDatatype.BYTES, truncated, 1));
  }

  @Test
  void sendsRawBuffersWithoutCopying() {
    ByteBuffer data = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
    data.putFloat(1f).putFloat(2f).flip();
    InferInput input = InferInput.raw("RAW", TensorDatatype.FP32, data, 2);
    data.putFloat(0, 42f);
    assertEquals(
        42f, input.contents().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat());
    assertEquals(0, data.position(), "the caller's buffer is left as it was");
  }

  @Test
  void encodesLittleEndianRowMajor() {
    assertArrayEquals(
        new byte[] {1, 0, 0, 0, -2, -1, -1, -1},
        InferInput.int32("X", new int[] {1, -2}, 2).contents().toByteArray());
    assertArrayEquals(
        new byte[] {1, 0, 1},
        InferInput.bool("B", new boolean[] {true, false, true}, 3).contents().toByteArray());
    assertArrayEquals(
        new byte[] {0, 0x3c, 0, (byte) 0xc0},
        InferInput.fp16("H", new float[] {1f, -2f}, 2).contents().toByteArray());
    assertArrayEquals(
        new byte[] {2, 0, 0, 0, 'h', 'i', 0, 0, 0, 0},
        InferInput.strings("S", List.of("hi", ""), 2).contents().toByteArray());
  }

  @Test
  void requestCarriesOptionsAndRawContentsForEveryInput() {
    InferRequest request =
        InferRequest.builder("simple")
            .version(2)
            .id("req-1")
            .inputs(
                InferInput.fp32("INPUT0", new float[] {1f}, 1),
                InferInput.strings("INPUT1", List.of("x"), 1))
            .outputs("OUTPUT0")
            .priority(3)
            .timeout(Duration.ofMillis(250))
            .parameter("sequence_id", 7L)
            .parameter("sequence_start", true)
            .parameter("temperature", 0.5)
            .parameter("mode", "fast")
            .deadline(Duration.ofSeconds(1))
            .build();
    ModelInferRequest message = request.message();
    assertEquals("simple", message.getModelName());
    assertEquals("2", message.getModelVersion());
    assertEquals("req-1", message.getId());
    assertEquals(2, message.getInputsCount());
    assertEquals(2, message.getRawInputContentsCount());
    assertTrue(message.getInputs(0).getContents().getSerializedSize() == 0, "no typed contents");
    assertEquals("OUTPUT0", message.getOutputs(0).getName());
    assertEquals(3, message.getParametersOrThrow("priority").getInt64Param());
    assertEquals(250_000, message.getParametersOrThrow("timeout").getInt64Param());
    assertEquals(7, message.getParametersOrThrow("sequence_id").getInt64Param());
    assertTrue(message.getParametersOrThrow("sequence_start").getBoolParam());
    assertEquals(0.5, message.getParametersOrThrow("temperature").getDoubleParam());
    assertEquals("fast", message.getParametersOrThrow("mode").getStringParam());
    assertEquals(Duration.ofSeconds(1), request.deadline().orElseThrow());
  }

  @Test
  void rejectsTheSameInputTwice() {
    InferInput input = InferInput.int8("X", new byte[] {1}, 1);
    InferRequest.Builder builder = InferRequest.builder("m").input(input);
    assertThrows(IllegalArgumentException.class, () -> builder.input(input));
  }
}
