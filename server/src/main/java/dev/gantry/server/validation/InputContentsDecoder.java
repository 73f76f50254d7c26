package dev.gantry.server.validation;

import com.google.protobuf.ByteString;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.spi.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts an input's typed {@code contents} into the little-endian bytes every other layer uses,
 * checking that the values sit in the field their datatype calls for, that their count matches the
 * shape, and that narrow integers are in range.
 */
final class InputContentsDecoder {
  private InputContentsDecoder() {}

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
      ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
      for (ByteString element : contents.getBytesContentsList()) {
        out.putInt(element.size());
        element.copyTo(out);
      }
      return out.flip();
    }
    ByteBuffer out =
        ByteBuffer.allocate(Math.multiplyExact(count, type.elementSize()))
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      switch (type) {
        case BOOL -> out.put((byte) (contents.getBoolContents(i) ? 1 : 0));
        case INT8 -> out.put((byte) checked(input, field, i, contents.getIntContents(i),
            Byte.MIN_VALUE, Byte.MAX_VALUE));
        case INT16 -> out.putShort((short) checked(input, field, i, contents.getIntContents(i),
            Short.MIN_VALUE, Short.MAX_VALUE));
        case INT32 -> out.putInt(contents.getIntContents(i));
        case INT64 -> out.putLong(contents.getInt64Contents(i));
        case UINT8 -> out.put((byte) checked(input, field, i,
            Integer.toUnsignedLong(contents.getUintContents(i)), 0, 0xFF));
        case UINT16 -> out.putShort((short) checked(input, field, i,
            Integer.toUnsignedLong(contents.getUintContents(i)), 0, 0xFFFF));
        case UINT32 -> out.putInt(contents.getUintContents(i));
        case UINT64 -> out.putLong(contents.getUint64Contents(i));
        case FP32 -> out.putFloat(contents.getFp32Contents(i));
        case FP64 -> out.putDouble(contents.getFp64Contents(i));
        default -> throw new IllegalStateException("no typed contents for " + type);
      }
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

  /** A narrow integer value, refused when it does not fit its datatype. */
  private static long checked(String input, String field, int index, long value, long min, long max) {
    if (value < min || value > max) {
      throw new InvalidArgumentException(
          "input '" + input + "': contents." + field + "[" + index + "] = " + value
              + " is outside " + min + ".." + max);
    }
    return value;
  }
}
