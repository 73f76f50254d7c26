package dev.gantry.client;

import dev.gantry.proto.InferParameter;
import java.util.Map;
import java.util.Objects;

/**
 * Where a tensor lies in a registered system shared-memory region (see {@link
 * InferenceClient#registerSystemSharedMemory}): for an input, the bytes the server reads instead
 * of request data; for an output, where the server writes it instead of into the response.
 *
 * @param region the region's registered name
 * @param offset where the tensor starts within the region, in bytes
 * @param byteSize the tensor's size in bytes; for an output, the room given to it
 */
public record SharedMemoryRange(String region, long offset, long byteSize) {
  /**
   * @throws IllegalArgumentException if the offset is negative or the size below 1
   */
  public SharedMemoryRange {
    Objects.requireNonNull(region, "region");
    if (offset < 0 || byteSize < 1) {
      throw new IllegalArgumentException(
          "a shared memory range needs offset >= 0 and byteSize >= 1: " + offset + ", " + byteSize);
    }
  }

  /** The range at the start of a region. */
  public static SharedMemoryRange of(String region, long byteSize) {
    return new SharedMemoryRange(region, 0, byteSize);
  }

  /** The protocol's {@code shared_memory_*} parameters for this range. */
  Map<String, InferParameter> parameters() {
    return Map.of(
        "shared_memory_region", InferParameter.newBuilder().setStringParam(region).build(),
        "shared_memory_offset", InferParameter.newBuilder().setInt64Param(offset).build(),
        "shared_memory_byte_size", InferParameter.newBuilder().setInt64Param(byteSize).build());
  }
}
