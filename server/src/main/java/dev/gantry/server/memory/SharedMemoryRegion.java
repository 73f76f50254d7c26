package dev.gantry.server.memory;

import java.nio.ByteBuffer;

/**
 * A registered system shared-memory region: a window of a POSIX shared-memory object in {@code
 * /dev/shm}, mapped into the server once, at registration.
 *
 * @param name the name requests use in {@code shared_memory_region}
 * @param key the shared-memory object's key as the client gave it, {@code /my_region}
 * @param offset where the region starts in the object
 * @param mapped the mapped window, position 0 at {@code offset}, {@code byte_size} long
 */
public record SharedMemoryRegion(String name, String key, long offset, ByteBuffer mapped) {
  /** The region's size in bytes. */
  public long byteSize() {
    return mapped.capacity();
  }

  /**
   * A view of {@code byteSize} bytes from {@code offset} within the region, already checked to
   * lie inside it.
   */
  ByteBuffer slice(long offset, long byteSize) {
    return mapped.slice((int) offset, (int) byteSize);
  }
}
