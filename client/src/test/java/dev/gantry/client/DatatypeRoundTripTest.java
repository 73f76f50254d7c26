package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.proto.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Sends a tensor of every datatype to the echoing fake server and reads it back typed, checking the
 * bytes on the wire on the way.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatatypeRoundTripTest {
  private FakeServer server;
  private InferenceClient client;

  @BeforeAll
  void start() {
    server = FakeServer.plaintext();
    client = InferenceClient.builder().target(server.target()).build();
  }

  @AfterAll
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void bool() {
    boolean[] values = {true, false, true, true};
    assertArrayEquals(values, roundTrip(InferInput.bool("INPUT0", values, 2, 2)).asBooleans());
  }

  @Test
  void uint8() {
    byte[] values = {0, 1, (byte) 255, (byte) 128};
    InferOutput output = roundTrip(InferInput.uint8("INPUT0", values, 4));
    assertArrayEquals(values, output.asBytes());
    assertEquals(255, Byte.toUnsignedInt(output.asBytes()[2]));
  }

  @Test
  void int8() {
    byte[] values = {Byte.MIN_VALUE, -1, 0, Byte.MAX_VALUE};
    assertArrayEquals(values, roundTrip(InferInput.int8("INPUT0", values, 4)).asBytes());
  }

  @Test
  void uint16() {
    short[] values = {0, (short) 65535, 1, (short) 40000};
    InferOutput output = roundTrip(InferInput.uint16("INPUT0", values, 2, 2));
    assertArrayEquals(values, output.asShorts());
    assertEquals(40000, Short.toUnsignedInt(output.asShorts()[3]));
  }

  @Test
  void int16() {
    short[] values = {Short.MIN_VALUE, -1, 0, Short.MAX_VALUE};
    assertArrayEquals(values, roundTrip(InferInput.int16("INPUT0", values, 4)).asShorts());
  }

  @Test
  void uint32() {
    int[] values = {0, -1, 1, (int) 3_000_000_000L};
    InferOutput output = roundTrip(InferInput.uint32("INPUT0", values, 4));
    assertArrayEquals(values, output.asInts());
    assertEquals(3_000_000_000L, Integer.toUnsignedLong(output.asInts()[3]));
  }

  @Test
  void int32() {
    int[] values = {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE, 42, 7};
    assertArrayEquals(values, roundTrip(InferInput.int32("INPUT0", values, 2, 3)).asInts());
  }

  @Test
  void uint64() {
    long[] values = {0, -1L, 1, Long.MIN_VALUE};
    InferOutput output = roundTrip(InferInput.uint64("INPUT0", values, 4));
    assertArrayEquals(values, output.asLongs());
    assertEquals("18446744073709551615", Long.toUnsignedString(output.asLongs()[1]));
  }

  @Test
  void int64() {
    long[] values = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
    assertArrayEquals(values, roundTrip(InferInput.int64("INPUT0", values, 1, 4)).asLongs());
  }

  @Test
  void fp16() {
    float[] values = {1f, -2f, 0.1f, 65504f, 1e-8f, 70000f, 0x1p-24f, 1f / 3};
    float[] expected = {
      1f, -2f, 0.099975586f, 65504f, 0f, Float.POSITIVE_INFINITY, 0x1p-24f, 0.33325195f
    };
    InferOutput output = roundTrip(InferInput.fp16("INPUT0", values, 8));
    assertArrayEquals(expected, output.asFloatsFromHalf());
    assertEquals((short) 0x3c00, output.buffer().getShort(0));
  }

  @Test
  void bf16() {
    float[] values = {1f, (float) Math.PI, 0.1f, -2.5f};
    float[] expected = {1f, 3.140625f, 0.10009765625f, -2.5f};
    InferOutput output = roundTrip(InferInput.bf16("INPUT0", values, 4));
    assertArrayEquals(expected, output.asFloatsFromBf16());
    assertEquals((short) 0x4049, output.buffer().getShort(2));
  }

  @Test
  void fp32() {
    float[] values = {
      1.5f, -0f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN, Float.NEGATIVE_INFINITY
    };
    assertArrayEquals(values, roundTrip(InferInput.fp32("INPUT0", values, 3, 2)).asFloats());
  }

  @Test
  void fp64() {
    double[] values = {Math.PI, -0d, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN};
    assertArrayEquals(values, roundTrip(InferInput.fp64("INPUT0", values, 5)).asDoubles());
  }

  @Test
  void bytesAsStrings() {
    List<String> values = List.of("hello", "", "żółw 🐢", "日本語");
    assertEquals(values, roundTrip(InferInput.strings("INPUT0", values, 2, 2)).asStrings());
  }

  @Test
  void bytesAsByteArrays() {
    List<byte[]> values = List.of(new byte[] {0, -1, 127}, new byte[0], new byte[300]);
    List<byte[]> read = roundTrip(InferInput.bytes("INPUT0", values, 3)).asByteArrays();
    assertEquals(values.size(), read.size());
    for (int i = 0; i < values.size(); i++) {
      assertArrayEquals(values.get(i), read.get(i));
    }
  }

  @Test
  void rawByteBuffers() {
    ByteBuffer floats = ByteBuffer.allocateDirect(12).order(ByteOrder.LITTLE_ENDIAN);
    floats.putFloat(1f).putFloat(2f).putFloat(3f).flip();
    assertArrayEquals(
        new float[] {1f, 2f, 3f},
        roundTrip(InferInput.raw("INPUT0", TensorDatatype.FP32, floats, 3)).asFloats());

    ByteBuffer strings =
        RawContents.ofElements(List.of(utf8("a"), utf8("bc"))).asReadOnlyByteBuffer();
    assertEquals(
        List.of("a", "bc"),
        roundTrip(InferInput.raw("INPUT0", TensorDatatype.BYTES, strings, 2)).asStrings());
  }

  private InferOutput roundTrip(InferInput input) {
    InferResult result = client.infer(InferRequest.builder("simple").input(input).build());
    List<ModelInferRequest> sent = server.service.requests(ModelInferRequest.class);
    ModelInferRequest request = sent.get(sent.size() - 1);
    assertEquals(input.datatype().wireName(), request.getInputs(0).getDatatype());
    assertArrayEquals(
        input.shape(),
        request.getInputs(0).getShapeList().stream().mapToLong(Long::longValue).toArray());
    assertEquals(input.contents(), request.getRawInputContents(0), "request bytes");
    InferOutput output = result.output("OUTPUT0");
    assertEquals(input.datatype(), output.datatype());
    assertArrayEquals(input.shape(), output.shape());
    return output;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
