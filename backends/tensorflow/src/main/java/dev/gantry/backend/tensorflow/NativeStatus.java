package dev.gantry.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_INVALID_ARGUMENT;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;

import java.util.Optional;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * A TensorFlow C API status: what every call that can fail reports into. Owned by one
 * try-with-resources block, which frees it.
 */
final class NativeStatus implements AutoCloseable {
  private final TF_Status handle = TF_NewStatus();

  TF_Status handle() {
    return handle;
  }

  /** TensorFlow's message when the last call failed; empty when it succeeded. */
  Optional<String> failure() {
    if (TF_GetCode(handle) == TF_OK) {
      return Optional.empty();
    }
    return Optional.of(TF_Message(handle).getString());
  }

  /** Whether the last call failed because of its arguments (TF_INVALID_ARGUMENT). */
  boolean invalidArgument() {
    return TF_GetCode(handle) == TF_INVALID_ARGUMENT;
  }

  @Override
  public void close() {
    TF_DeleteStatus(handle);
  }
}
