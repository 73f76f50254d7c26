package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.input;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.spi.DataType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every datatype through an identity model, raw and (where the protocol has a field for it) typed:
 * the bytes that come back are the bytes that went in.
 */
class DatatypeRoundTripTest {
  @TempDir static Path repository;
  static RunningServer gantry;

  private static String model(DataType type) {
    return "identity_" + type.name().toLowerCase(Locale.ROOT);
  }

  @BeforeAll
  static void start() throws Exception {
    TestRepository models = new TestRepository(repository);
    for (DataType type : DataType.values()) {
      models.onnx(model(type), 1, OnnxModels.identity("x", "y", type, -1, 3));
    }
    for (DataType type : UNSIGNED_WIDE) {
      models.onnx("cast_to_" + type.name().toLowerCase(Locale.ROOT), 1,
          OnnxModels.cast(DataType.INT64, type, -1, 3));
    }
    gantry = RunningServer.on(models);
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static ByteString randomRaw(DataType type, int elements) {
    SplittableRandom random = new SplittableRandom(type.ordinal());
    if (type == DataType.BYTES) {
      String[] values = new String[elements];
      for (int i = 0; i < elements; i++) {
        values[i] = i == 0 ? "" : "value-" + random.nextInt(1000) + "-ü";
      }
      return Tensors.strings(values);
    }
    byte[] bytes = new byte[elements * type.elementSize()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    if (type == DataType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (bytes[i] & 1);
      }
    }
    if (type == DataType.FP16 || type == DataType.BF16 || type == DataType.FP32
        || type == DataType.FP64) {
      return floatingRaw(type, elements);
    }
    return ByteString.copyFrom(bytes);
  }

  /** Finite values only, so that NaN payloads cannot differ after a copy. */
  private static ByteString floatingRaw(DataType type, int elements) {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(elements * type.elementSize())
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < elements; i++) {
      float value = (i - 2.5f) * 0.75f;
      switch (type) {
        case FP16 -> buffer.putShort(new short[] {(short) 0xC100, (short) 0xBC00, 0, 0x3C00,
            0x4000, (short) 0x7BFF}[i]);
        case BF16 -> buffer.putShort((short) (Float.floatToIntBits(value) >>> 16));
        case FP32 -> buffer.putFloat(value);
        default -> buffer.putDouble(value);
      }
    }
    return ByteString.copyFrom(buffer.flip());
  }

  /** Types ONNX Runtime's Java API can return but cannot take as inputs. */
  private static final java.util.List<DataType> UNSIGNED_WIDE =
      java.util.List.of(DataType.UINT16, DataType.UINT32, DataType.UINT64);

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"UINT16", "UINT32", "UINT64"},
      mode = EnumSource.Mode.EXCLUDE)
  void rawRoundTrip(DataType type) {
    ByteString raw = randomRaw(type, 6);
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName(model(type))
        .addInputs(input("x", type.name(), 2, 3))
        .addRawInputContents(raw)
        .build());
    assertEquals(type.name(), response.getOutputs(0).getDatatype());
    assertEquals(java.util.List.of(2L, 3L), response.getOutputs(0).getShapeList());
    assertEquals(raw, response.getRawOutputContents(0));
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FP16", "BF16", "UINT16", "UINT32", "UINT64"},
      mode = EnumSource.Mode.EXCLUDE)
  void typedContentsComeBackRawWithTheSameValues(DataType type) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(3 * 8 + 64)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 3; i++) {
      switch (type) {
        case BOOL -> { contents.addBoolContents(i == 1); bytes.put((byte) (i == 1 ? 1 : 0)); }
        case INT8 -> { contents.addIntContents(-i); bytes.put((byte) -i); }
        case INT16 -> { contents.addIntContents(-300 * i); bytes.putShort((short) (-300 * i)); }
        case INT32 -> { contents.addIntContents(-70000 * i); bytes.putInt(-70000 * i); }
        case INT64 -> { contents.addInt64Contents(-(1L << 40) * i); bytes.putLong(-(1L << 40) * i); }
        case UINT8 -> { contents.addUintContents(250 + i); bytes.put((byte) (250 + i)); }
        case UINT16 -> { contents.addUintContents(65000 + i); bytes.putShort((short) (65000 + i)); }
        case UINT32 -> { contents.addUintContents(-1 - i); bytes.putInt(-1 - i); }
        case UINT64 -> { contents.addUint64Contents(-1L - i); bytes.putLong(-1L - i); }
        case FP32 -> { contents.addFp32Contents(i / 3f); bytes.putFloat(i / 3f); }
        case FP64 -> { contents.addFp64Contents(i / 3d); bytes.putDouble(i / 3d); }
        case BYTES -> {
          String value = "s" + i;
          contents.addBytesContents(ByteString.copyFromUtf8(value));
          bytes.putInt(value.length()).put(value.getBytes());
        }
        default -> throw new IllegalArgumentException(type.name());
      }
    }
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName(model(type))
        .addInputs(input("x", type.name(), 1, 3).toBuilder().setContents(contents))
        .build());
    assertEquals(ByteString.copyFrom(bytes.flip()), response.getRawOutputContents(0));
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"UINT16", "UINT32", "UINT64"})
  void unsignedWideTypesComeBackAsOutputs(DataType type) {
    ModelInferResponse response = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("cast_to_" + type.name().toLowerCase(Locale.ROOT))
        .addInputs(input("input", "INT64", 1, 3))
        .addRawInputContents(Tensors.longs(0, 1, 65535))
        .build());
    assertEquals(type.name(), response.getOutputs(0).getDatatype());
    java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(3 * type.elementSize())
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (long value : new long[] {0, 1, 65535}) {
      switch (type) {
        case UINT16 -> expected.putShort((short) value);
        case UINT32 -> expected.putInt((int) value);
        default -> expected.putLong(value);
      }
    }
    assertEquals(ByteString.copyFrom(expected.flip()), response.getRawOutputContents(0));
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"UINT16", "UINT32", "UINT64"})
  void unsignedWideInputsAreRefusedAtLoadWithAReason(DataType type) {
    io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.grpc.StatusRuntimeException.class,
        () -> gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
            .setModelName(model(type)).build()));
    assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.getStatus().getCode());
    String message = e.getStatus().getDescription();
    org.junit.jupiter.api.Assertions.assertTrue(
        message.contains("input 'x' is " + type.name()) && !message.contains(repository.toString()),
        message);
  }
}
