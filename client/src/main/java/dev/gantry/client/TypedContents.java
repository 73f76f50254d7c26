package dev.gantry.client;

import com.google.protobuf.ByteString;
import dev.gantry.proto.InferTensorContents;
import java.util.List;

/**
 * Turns the typed {@code contents} of an output tensor into the raw encoding.
 *
 * <p>Servers may answer with typed repeated fields instead of {@code raw_output_contents}; turning
 * those into raw bytes lets every typed read of an output work one way.
 */
final class TypedContents {
  private TypedContents() {}

  /**
   * The raw encoding of the field of {@code contents} that {@code datatype} uses. FP16 and BF16
   * have no typed field and give empty contents.
   */
  static ByteString toRaw(TensorDatatype datatype, InferTensorContents contents) {
    return switch (datatype) {
      case BOOL -> RawContents.ofBooleans(booleans(contents));
      case INT8 -> RawContents.ofBytes(bytes(contents.getIntContentsList()));
      case UINT8 -> RawContents.ofBytes(bytes(contents.getUintContentsList()));
      case INT16 -> RawContents.ofShorts(shorts(contents.getIntContentsList()));
      case UINT16 -> RawContents.ofShorts(shorts(contents.getUintContentsList()));
      case INT32 -> RawContents.ofInts(ints(contents.getIntContentsList()));
      case UINT32 -> RawContents.ofInts(ints(contents.getUintContentsList()));
      case INT64 -> RawContents.ofLongs(longs(contents.getInt64ContentsList()));
      case UINT64 -> RawContents.ofLongs(longs(contents.getUint64ContentsList()));
      case FP32 -> RawContents.ofFloats(floats(contents.getFp32ContentsList()));
      case FP64 -> RawContents.ofDoubles(doubles(contents.getFp64ContentsList()));
      case BYTES ->
          RawContents.ofElements(
              contents.getBytesContentsList().stream().map(ByteString::toByteArray).toList());
      case FP16, BF16 -> ByteString.EMPTY;
    };
  }

  private static boolean[] booleans(InferTensorContents contents) {
    boolean[] values = new boolean[contents.getBoolContentsCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = contents.getBoolContents(i);
    }
    return values;
  }

  private static byte[] bytes(List<Integer> values) {
    byte[] narrowed = new byte[values.size()];
    for (int i = 0; i < narrowed.length; i++) {
      narrowed[i] = values.get(i).byteValue();
    }
    return narrowed;
  }

  private static short[] shorts(List<Integer> values) {
    short[] narrowed = new short[values.size()];
    for (int i = 0; i < narrowed.length; i++) {
      narrowed[i] = values.get(i).shortValue();
    }
    return narrowed;
  }

  private static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  private static long[] longs(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private static float[] floats(List<Float> values) {
    float[] unboxed = new float[values.size()];
    for (int i = 0; i < unboxed.length; i++) {
      unboxed[i] = values.get(i);
    }
    return unboxed;
  }

  private static double[] doubles(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
