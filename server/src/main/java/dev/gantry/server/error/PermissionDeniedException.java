package dev.gantry.server.error;

/**
 * The caller is known, but its role does not allow the call, e.g. an inference token asking to
 * load a model.
 */
public final class PermissionDeniedException extends GantryException {
  public PermissionDeniedException(String message) {
    super(ErrorCode.PERMISSION_DENIED, message);
  }
}
