package dev.gantry.backend.onnxruntime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native memory that one instance reuses, execution after execution, for the inputs that arrive
 * on the heap: ONNX Runtime can only wrap direct memory, and left to itself it would allocate a
 * direct buffer per input per execution, which the garbage collector returns late.
 *
 * <p>Only the instance's execution thread uses it, and an execution's input tensors are closed
 * before the next execution starts, so each execution may take the memory from the start again.
 * It grows to the largest execution's heap inputs and keeps that size.
 */
final class StagingBuffer {
  private ByteBuffer memory = ByteBuffer.allocateDirect(0);
  private int used;

  /** Starts an execution: the memory handed out before is free again. */
  void reset(int bytesNeeded) {
    used = 0;
    if (memory.capacity() < bytesNeeded) {
      memory = ByteBuffer.allocateDirect(Math.max(bytesNeeded, memory.capacity() * 2))
          .order(ByteOrder.nativeOrder());
    }
  }

  /** A native-order direct copy of {@code data}, in memory reserved by the last {@link #reset}. */
  ByteBuffer copy(ByteBuffer data) {
    int length = data.remaining();
    ByteBuffer slice = memory.slice(used, length).order(ByteOrder.nativeOrder());
    slice.put(data.duplicate()).flip();
    used += length;
    return slice;
  }
}
