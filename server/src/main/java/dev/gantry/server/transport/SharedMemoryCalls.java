package dev.gantry.server.transport;

import dev.gantry.proto.SystemSharedMemoryRegisterRequest;
import dev.gantry.proto.SystemSharedMemoryRegisterResponse;
import dev.gantry.proto.SystemSharedMemoryStatusRequest;
import dev.gantry.proto.SystemSharedMemoryStatusResponse;
import dev.gantry.proto.SystemSharedMemoryStatusResponse.RegionStatus;
import dev.gantry.proto.SystemSharedMemoryUnregisterRequest;
import dev.gantry.proto.SystemSharedMemoryUnregisterResponse;
import dev.gantry.server.error.UnimplementedException;
import dev.gantry.server.memory.SharedMemoryRegion;
import dev.gantry.server.memory.SharedMemoryRegistry;
import io.grpc.StatusRuntimeException;

/**
 * The shared-memory RPCs: system shared memory registered, listed and unregistered in the
 * {@link SharedMemoryRegistry} that inference requests read; CUDA shared memory refused, since
 * Gantry's backends take host memory only.
 */
final class SharedMemoryCalls {
  private final SharedMemoryRegistry registry;

  SharedMemoryCalls(SharedMemoryRegistry registry) {
    this.registry = registry;
  }

  SystemSharedMemoryRegisterResponse register(SystemSharedMemoryRegisterRequest request) {
    registry.register(
        request.getName(), request.getKey(), request.getOffset(), request.getByteSize());
    return SystemSharedMemoryRegisterResponse.getDefaultInstance();
  }

  SystemSharedMemoryStatusResponse status(SystemSharedMemoryStatusRequest request) {
    SystemSharedMemoryStatusResponse.Builder response = SystemSharedMemoryStatusResponse.newBuilder();
    for (SharedMemoryRegion region : registry.status(request.getName())) {
      response.putRegions(region.name(), RegionStatus.newBuilder()
          .setName(region.name())
          .setKey(region.key())
          .setOffset(region.offset())
          .setByteSize(region.byteSize())
          .build());
    }
    return response.build();
  }

  SystemSharedMemoryUnregisterResponse unregister(SystemSharedMemoryUnregisterRequest request) {
    registry.unregister(request.getName());
    return SystemSharedMemoryUnregisterResponse.getDefaultInstance();
  }

  /** How every CUDA shared-memory RPC fails. */
  static StatusRuntimeException cudaUnsupported(String method) {
    return StatusMapper.toException(new UnimplementedException(method + ": CUDA shared memory "
        + "is not supported by Gantry, whose backends read host memory; use system shared "
        + "memory (SystemSharedMemoryRegister)"));
  }
}
