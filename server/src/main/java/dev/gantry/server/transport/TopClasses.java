package dev.gantry.server.transport;

import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Triton's classification extension: replaces an output by its top-k classes, each a BYTES
 * element {@code "value:index[:label]"}, highest value first, per batch item when the model
 * batches. Values are formatted as Triton prints them (six decimals for floating point, plain
 * integers otherwise); equal values keep index order; k is cut to the number of classes. Which
 * datatypes it ranks is checked when the request is read ({@code RequestValidator}).
 */
final class TopClasses {
  private TopClasses() {}

  /**
   * @param batchSize the request's batch size when the model batches, 0 when it does not
   * @param labels class labels by index, empty when the output has none
   */
  static Tensor of(Tensor output, int classCount, long batchSize, List<String> labels) {
    long items = batchSize > 0 ? batchSize : 1;
    int classes = (int) (output.elementCount() / Math.max(items, 1));
    int k = Math.min(classCount, classes);
    ByteBuffer data = output.data();
    String[] elements = new String[(int) items * k];
    for (int item = 0; item < items; item++) {
      int base = item * classes;
      Comparator<Integer> highestFirst = comparator(output.dataType(), data, base).reversed();
      List<Integer> ranked = IntStream.range(0, classes).boxed()
          .sorted(highestFirst.thenComparing(Comparator.naturalOrder()))
          .limit(k)
          .toList();
      for (int r = 0; r < k; r++) {
        int index = ranked.get(r);
        String entry = format(output.dataType(), data, base + index) + ":" + index;
        elements[item * k + r] = index < labels.size() ? entry + ":" + labels.get(index) : entry;
      }
    }
    long[] shape = batchSize > 0 ? new long[] {batchSize, k} : new long[] {k};
    return new Tensor(DataType.BYTES, shape, BytesElements.joinStrings(elements));
  }

  private static Comparator<Integer> comparator(DataType type, ByteBuffer data, int base) {
    return switch (type) {
      case INT8 -> Comparator.comparingInt(i -> data.get(base + i));
      case INT16 -> Comparator.comparingInt(i -> data.getShort(2 * (base + i)));
      case INT32 -> Comparator.comparingInt(i -> data.getInt(4 * (base + i)));
      case INT64 -> Comparator.comparingLong(i -> data.getLong(8 * (base + i)));
      case UINT8 -> Comparator.comparingInt(i -> Byte.toUnsignedInt(data.get(base + i)));
      case UINT16 -> Comparator.comparingInt(i -> Short.toUnsignedInt(data.getShort(2 * (base + i))));
      case UINT32 -> Comparator.comparingLong(i -> Integer.toUnsignedLong(data.getInt(4 * (base + i))));
      case UINT64 -> (a, b) -> Long.compareUnsigned(
          data.getLong(8 * (base + a)), data.getLong(8 * (base + b)));
      case FP32 -> Comparator.comparingDouble(i -> data.getFloat(4 * (base + i)));
      case FP64 -> Comparator.comparingDouble(i -> data.getDouble(8 * (base + i)));
      default -> throw new IllegalArgumentException("classification cannot rank " + type);
    };
  }

  private static String format(DataType type, ByteBuffer data, int i) {
    return switch (type) {
      case INT8 -> Byte.toString(data.get(i));
      case INT16 -> Short.toString(data.getShort(2 * i));
      case INT32 -> Integer.toString(data.getInt(4 * i));
      case INT64 -> Long.toString(data.getLong(8 * i));
      case UINT8 -> Integer.toString(Byte.toUnsignedInt(data.get(i)));
      case UINT16 -> Integer.toString(Short.toUnsignedInt(data.getShort(2 * i)));
      case UINT32 -> Integer.toUnsignedString(data.getInt(4 * i));
      case UINT64 -> Long.toUnsignedString(data.getLong(8 * i));
      case FP32 -> String.format(Locale.ROOT, "%f", data.getFloat(4 * i));
      case FP64 -> String.format(Locale.ROOT, "%f", data.getDouble(8 * i));
      default -> throw new IllegalArgumentException("classification cannot format " + type);
    };
  }
}
