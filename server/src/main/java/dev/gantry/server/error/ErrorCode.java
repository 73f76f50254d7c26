package dev.gantry.server.error;

/**
 * What kind of failure a {@link GantryException} is, one constant per subclass. Transports map the
 * code, not the class, so each mapping (gRPC status, HTTP status, failure metric) is one exhaustive
 * {@code switch} that the compiler checks when a code is added.
 */
public enum ErrorCode {
  INVALID_ARGUMENT,
  NOT_FOUND,
  ALREADY_EXISTS,
  UNAVAILABLE,
  RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED,
  CANCELLED,
  UNIMPLEMENTED,
  FAILED_PRECONDITION,
  INTERNAL,
  UNAUTHENTICATED,
  PERMISSION_DENIED
}
