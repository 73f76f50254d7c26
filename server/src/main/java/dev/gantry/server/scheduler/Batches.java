package dev.gantry.server.scheduler;

import dev.gantry.spi.BytesElements;
import dev.gantry.spi.DataType;
import dev.gantry.spi.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins the inputs of several requests along the batch dimension, and splits a batch's outputs
 * back into one piece per request. Joining copies each input once into a direct buffer; splitting
 * only slices.
 */
final class Batches {
  private Batches() {}

  /** The batch's inputs: each input of its requests joined along dim 0, in batch order. */
  static Map<String, Tensor> joinInputs(List<InferenceRequest> batch) {
    if (batch.size() == 1) {
      return batch.get(0).inputs();
    }
    Map<String, Tensor> joined = new HashMap<>();
    for (String name : batch.get(0).inputs().keySet()) {
      List<Tensor> parts = new ArrayList<>(batch.size());
      for (InferenceRequest request : batch) {
        parts.add(request.inputs().get(name));
      }
      joined.put(name, concat(parts));
    }
    return joined;
  }

  /** The outputs any request of the batch asks for. */
  static Set<String> requestedOutputs(List<InferenceRequest> batch) {
    if (batch.size() == 1) {
      return batch.get(0).outputs();
    }
    Set<String> union = new LinkedHashSet<>();
    for (InferenceRequest request : batch) {
      union.addAll(request.outputs());
    }
    return union;
  }

  /**
   * Each request's own outputs out of the batch's: the rows that are its, of the outputs it asked
   * for.
   *
   * @param rows each request's batch size, in batch order
   * @throws IllegalStateException when the backend's outputs do not fit the batch
   */
  static List<Map<String, Tensor>> splitOutputs(
      List<InferenceRequest> batch, long[] rows, Map<String, Tensor> outputs) {
    if (outputs == null) {
      throw new IllegalStateException("the backend returned no outputs");
    }
    List<Map<String, Tensor>> perRequest = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      perRequest.add(new HashMap<>());
    }
    for (String name : requestedOutputs(batch)) {
      Tensor output = outputs.get(name);
      if (output == null) {
        throw new IllegalStateException("the backend returned no output '" + name + "'");
      }
      checkBytes(name, output);
      List<Tensor> pieces = split(name, output, rows);
      for (int i = 0; i < batch.size(); i++) {
        if (batch.get(i).outputs().contains(name)) {
          perRequest.get(i).put(name, pieces.get(i));
        }
      }
    }
    return perRequest;
  }

  /** The tensors concatenated along dim 0; they share datatype and every other dim. */
  private static Tensor concat(List<Tensor> parts) {
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
  private static List<Tensor> split(String name, Tensor output, long[] rows) {
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
  private static void checkBytes(String name, Tensor output) {
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
