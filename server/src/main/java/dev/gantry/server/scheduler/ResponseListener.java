package dev.gantry.server.scheduler;

import dev.gantry.server.error.GantryException;
import dev.gantry.spi.Tensor;
import java.util.Map;

/**
 * Receives the outcome of one request, exactly once: its outputs, or the error that ended it.
 * Called from a scheduler or timer thread, so implementations must not block.
 */
public interface ResponseListener {
  void onResponse(Map<String, Tensor> outputs);

  void onError(GantryException error);
}
