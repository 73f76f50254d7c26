package dev.gantry.server.scheduler;

import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins the inputs of several requests along the batch dimension, and splits a batch's outputs
 * back into one piece per request. Joining copies each input once into a direct buffer; splitting
 * only slices.
 */
final class Batches {
  private Batches() {}

  /** The tensors concatenated along dim 0; they share datatype and every other dim. */
  static Tensor concat(List<Tensor> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    Tensor first = parts.get(0);
    long[] shape = first.shape();
    long rows = 0;
    int bytes = 0;
    for (Tensor part : parts) {
      rows += part.dim(0);
      bytes = Math.addExact(bytes, part.byteSize());
    }
    shape[0] = rows;
    ByteBuffer joined = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (Tensor part : parts) {
      joined.put(part.data());
    }
    return new Tensor(first.dataType(), shape, joined.flip());
  }

  /**
   * Splits a batch output into consecutive pieces of {@code rows[i]} rows each.
   *
   * @throws IllegalStateException if the output's first dimension is not the sum of the rows
   */
  static List<Tensor> split(String name, Tensor output, long[] rows) {
    long total = 0;
    for (long r : rows) {
      total += r;
    }
    if (rows.length == 1) {
      return List.of(output);
    }
    if (output.rank() == 0 || output.dim(0) != total) {
      throw new IllegalStateException(
          "output '" + name + "' has shape " + output
              + " but the batch has " + total + " items in dimension 0");
    }
    long[] shape = output.shape();
    long elementsPerRow = total == 0 ? 0 : output.elementCount() / total;
    ByteBuffer data = output.data();
    List<Tensor> pieces = new ArrayList<>(rows.length);
    int offset = 0;
    for (long r : rows) {
      int length = output.dataType() == DataType.BYTES
          ? bytesOfElements(data, offset, r * elementsPerRow)
          : Math.toIntExact(r * elementsPerRow * output.dataType().elementSize());
      shape[0] = r;
      pieces.add(new Tensor(output.dataType(), shape, data.slice(offset, length)));
      offset += length;
    }
    return pieces;
  }

  private static int bytesOfElements(ByteBuffer data, int offset, long count) {
    ByteBuffer view = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(offset);
    for (long i = 0; i < count; i++) {
      int length = view.getInt();
      view.position(view.position() + length);
    }
    return view.position() - offset;
  }

  /** Checks a BYTES output's serialisation before slicing it; see {@link BytesElements#count}. */
  static void checkBytes(String name, Tensor output) {
    if (output.dataType() != DataType.BYTES) {
      return;
    }
    long found = BytesElements.count(output.data());
    if (found != output.elementCount()) {
      throw new IllegalStateException(
          "output '" + name + "' of shape " + output + " holds " + found + " BYTES elements");
    }
  }
}
