package dev.gantry.server.memory;

import java.nio.ByteBuffer;

/**
 * The part of a registered region one input or output of a request uses, as its {@code
 * shared_memory_region}, {@code shared_memory_offset} and {@code shared_memory_byte_size}
 * parameters name it; checked to lie inside the region.
 *
 * @param data the mapped bytes, a direct buffer of exactly {@code byteSize} bytes
 */
public record SharedMemorySlice(String region, long offset, long byteSize, ByteBuffer data) {
  /** A fresh view of the bytes, position 0, so that readers and writers never share a cursor. */
  public ByteBuffer view() {
    return data.duplicate();
  }
}
