package dev.gantry.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_AllocateTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Dim;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NumDims;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_STRING;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TString_Dealloc;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorByteSize;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorData;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorElementCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorMaybeMove;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorType;

import dev.gantry.spi.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.internal.c_api.TF_TString;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * Allocates, reads and deletes native TensorFlow tensors.
 *
 * <p>A tensor's memory is reached through a direct {@link ByteBuffer} view, so that data moves in
 * and out with one bulk copy whatever kind of buffer the other side is (heap, direct or read-only).
 * A view is valid only until its tensor is deleted and never leaves this package.
 */
final class NativeTensors {
  private NativeTensors() {}

  /** A new tensor of a TensorFlow element type with uninitialised memory of this size. */
  static TF_Tensor allocate(int nativeType, long[] shape, long byteSize) throws InferenceException {
    TF_Tensor tensor = TF_AllocateTensor(nativeType, shape, shape.length, byteSize);
    if (tensor == null || tensor.isNull()) {
      throw new InferenceException(
          "TensorFlow could not allocate a tensor of " + byteSize + " bytes");
    }
    return tensor;
  }

  /** The tensor's memory as a little-endian view, from its first byte to its last. */
  static ByteBuffer memory(TF_Tensor tensor) throws InferenceException {
    long size = TF_TensorByteSize(tensor);
    if (size == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    if (size > Integer.MAX_VALUE) {
      throw new InferenceException(
          "a tensor of " + size + " bytes is larger than a buffer can hold");
    }
    return TF_TensorData(tensor).limit(size).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The tensor's actual shape. */
  static long[] shape(TF_Tensor tensor) {
    long[] shape = new long[TF_NumDims(tensor)];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = TF_Dim(tensor, i);
    }
    return shape;
  }

  /**
   * The elements of a string tensor as TensorFlow's {@code TF_TString} structures, positioned at
   * the first; move through them with {@code position(i)}.
   */
  static TF_TString strings(TF_Tensor tensor) {
    return new TF_TString(TF_TensorData(tensor));
  }

  /**
   * Deletes a tensor. A string tensor's elements own heap memory of their own, which deleting the
   * tensor does not free: when this is the last reference to the tensor's memory, its elements are
   * freed first; otherwise another tensor still uses them and they are left alone.
   */
  static void delete(TF_Tensor tensor) {
    if (TF_TensorType(tensor) == TF_STRING && isSoleOwner(tensor)) {
      long count = TF_TensorElementCount(tensor);
      TF_TString elements = strings(tensor);
      for (long i = 0; i < count; i++) {
        TF_TString_Dealloc(elements.position(i));
      }
    }
    TF_DeleteTensor(tensor);
  }

  private static boolean isSoleOwner(TF_Tensor tensor) {
    TF_Tensor movable = TF_TensorMaybeMove(tensor);
    return movable != null && !movable.isNull();
  }
}
