package dev.gantry.server.security;

import java.util.Map;
import java.util.Optional;

/**
 * Which role each gRPC method needs when access control is on: the one table of who may call
 * what.
 *
 * <ul>
 *   <li>Open to anyone, so that load balancers and Kubernetes probes need no secret: {@code
 *       ServerLive}, {@code ServerReady} and the standard {@code grpc.health.v1.Health} service.
 *       They reveal only whether the server is up.
 *   <li>{@link Role#INFERENCE}: inference, model readiness, metadata, configuration,
 *       statistics, the repository index, the system shared-memory status (like the index, it
 *       only lists), and server reflection (it describes the API, and there is no reason to
 *       describe it to strangers). An inference request may use any region registered.
 *   <li>{@link Role#ADMIN}: everything else, which today is loading and unloading models, log
 *       and trace settings and registering and unregistering shared memory (it maps server-side
 *       memory, as loading maps models). A method this table does not know needs ADMIN, so a
 *       method added later is closed until someone opens it here.
 * </ul>
 */
public final class AccessPolicy {
  private static final String INFERENCE_SERVICE = "inference.GRPCInferenceService/";
  private static final String HEALTH_SERVICE = "grpc.health.v1.Health/";
  private static final String REFLECTION_SERVICE = "grpc.reflection.v1.ServerReflection/";

  private static final Map<String, Role> INFERENCE_METHODS = Map.of(
      "ServerMetadata", Role.INFERENCE,
      "ModelReady", Role.INFERENCE,
      "ModelMetadata", Role.INFERENCE,
      "ModelConfig", Role.INFERENCE,
      "ModelStatistics", Role.INFERENCE,
      "ModelInfer", Role.INFERENCE,
      "ModelStreamInfer", Role.INFERENCE,
      "RepositoryIndex", Role.INFERENCE,
      "SystemSharedMemoryStatus", Role.INFERENCE);

  private AccessPolicy() {}

  /**
   * The role a method needs, or empty when it is open to anyone.
   *
   * @param fullMethodName as gRPC names it, {@code inference.GRPCInferenceService/ModelInfer}
   */
  public static Optional<Role> required(String fullMethodName) {
    if (fullMethodName.startsWith(HEALTH_SERVICE)) {
      return Optional.empty();
    }
    if (fullMethodName.startsWith(REFLECTION_SERVICE)) {
      return Optional.of(Role.INFERENCE);
    }
    if (fullMethodName.startsWith(INFERENCE_SERVICE)) {
      String method = fullMethodName.substring(INFERENCE_SERVICE.length());
      if (method.equals("ServerLive") || method.equals("ServerReady")) {
        return Optional.empty();
      }
      return Optional.of(INFERENCE_METHODS.getOrDefault(method, Role.ADMIN));
    }
    return Optional.of(Role.ADMIN);
  }
}
