package dev.gantry.server.validation;

import com.google.protobuf.ByteString;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.spi.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Converts an input's typed {@code contents} into the little-endian bytes every other layer uses,
 * checking that the values sit in the field their datatype calls for, that their count matches the
 * shape, and that narrow integers are in range.
 */
final class TypedContents {
  private TypedContents() {}

  /** @param maxBytesElement the most bytes one BYTES element may have, checked before copying */
  static ByteBuffer toBytes(
      String input, DataType type, InferTensorContents contents, long elements,
      long maxBytesElement) {
    String field = fieldFor(input, type);
    checkOnlyField(input, type, field, contents);
    int count = countOf(type, contents);
    if (count != elements) {
      throw new InvalidArgumentException(
          "input '" + input + "': contents." + field + " has " + count
              + " values but the shape needs " + elements);
    }
    if (type == DataType.BYTES) {
      int size = 0;
      for (int i = 0; i < count; i++) {
        ByteString element = contents.getBytesContents(i);
        RequestValidator.checkBytesElementSize(
            input, "contents." + field, i, element.size(), maxBytesElement);
        size = Math.addExact(size, Integer.BYTES + element.size());
      }
      ByteBuffer out = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
      for (ByteString element : contents.getBytesContentsList()) {
        out.putInt(element.size());
        element.copyTo(out);
      }
      return out.flip();
    }
    ByteBuffer out =
        ByteBuffer.allocateDirect(Math.multiplyExact(count, type.elementSize()))
            .order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case BOOL -> contents.getBoolContentsList().forEach(v -> out.put((byte) (v ? 1 : 0)));
      case INT8 -> putInts(input, field, contents.getIntContentsList(), Byte.MIN_VALUE, Byte.MAX_VALUE,
          v -> out.put((byte) v));
      case INT16 -> putInts(input, field, contents.getIntContentsList(), Short.MIN_VALUE,
          Short.MAX_VALUE, v -> out.putShort((short) v));
      case INT32 -> contents.getIntContentsList().forEach(out::putInt);
      case INT64 -> contents.getInt64ContentsList().forEach(out::putLong);
      case UINT8 -> putInts(input, field, contents.getUintContentsList(), 0, 0xFF,
          v -> out.put((byte) v));
      case UINT16 -> putInts(input, field, contents.getUintContentsList(), 0, 0xFFFF,
          v -> out.putShort((short) v));
      case UINT32 -> contents.getUintContentsList().forEach(out::putInt);
      case UINT64 -> contents.getUint64ContentsList().forEach(out::putLong);
      case FP32 -> contents.getFp32ContentsList().forEach(out::putFloat);
      case FP64 -> contents.getFp64ContentsList().forEach(out::putDouble);
      default -> throw new IllegalStateException("no typed contents for " + type);
    }
    return out.flip();
  }

  /** The contents field that carries values of a datatype. */
  private static String fieldFor(String input, DataType type) {
    return switch (type) {
      case BOOL -> "bool_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16, BF16 -> throw new InvalidArgumentException(
          "input '" + input + "': " + type + " has no typed contents field; send it in "
              + "raw_input_contents");
    };
  }

  private static int countOf(DataType type, InferTensorContents contents) {
    return switch (type) {
      case BOOL -> contents.getBoolContentsCount();
      case INT8, INT16, INT32 -> contents.getIntContentsCount();
      case INT64 -> contents.getInt64ContentsCount();
      case UINT8, UINT16, UINT32 -> contents.getUintContentsCount();
      case UINT64 -> contents.getUint64ContentsCount();
      case FP32 -> contents.getFp32ContentsCount();
      case FP64 -> contents.getFp64ContentsCount();
      case BYTES -> contents.getBytesContentsCount();
      case FP16, BF16 -> 0;
    };
  }

  private static void checkOnlyField(
      String input, DataType type, String field, InferTensorContents contents) {
    String[] names = {
      "bool_contents", "int_contents", "int64_contents", "uint_contents", "uint64_contents",
      "fp32_contents", "fp64_contents", "bytes_contents"
    };
    int[] counts = {
      contents.getBoolContentsCount(), contents.getIntContentsCount(),
      contents.getInt64ContentsCount(), contents.getUintContentsCount(),
      contents.getUint64ContentsCount(), contents.getFp32ContentsCount(),
      contents.getFp64ContentsCount(), contents.getBytesContentsCount()
    };
    for (int i = 0; i < names.length; i++) {
      if (counts[i] > 0 && !names[i].equals(field)) {
        throw new InvalidArgumentException(
            "input '" + input + "': " + type + " values belong in contents." + field
                + ", but contents." + names[i] + " is set");
      }
    }
  }

  private interface IntSink {
    void put(int value);
  }

  private static void putInts(
      String input, String field, List<Integer> values, long min, long max, IntSink sink) {
    for (int i = 0; i < values.size(); i++) {
      long value = min < 0 ? values.get(i) : Integer.toUnsignedLong(values.get(i));
      if (value < min || value > max) {
        throw new InvalidArgumentException(
            "input '" + input + "': contents." + field + "[" + i + "] = " + value
                + " is outside " + min + ".." + max);
      }
      sink.put(values.get(i));
    }
  }
}
