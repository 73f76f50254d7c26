package dev.gantry.spi;

import java.util.Map;
import java.util.Set;

/**
 * One loaded, ready-to-run copy of a model version.
 *
 * <p>The server calls {@link #execute} from one thread at a time per instance and closes the
 * instance, freeing its native memory, when the version is unloaded.
 */
public interface ModelInstance extends AutoCloseable {
  /** The model's inputs and outputs as the runtime reports them. */
  ModelSignature signature();

  /** Where this instance really runs, for example {@code CPU} or {@code GPU 0}. */
  String device();

  /**
   * Runs the model once on a batch.
   *
   * @param inputs every input of the model by name, already validated against {@link #signature()}
   *     and with the batch dimension (if any) first; their memory may be reused for another
   *     request once this returns, so the outputs must not share it
   * @param outputs the names of the outputs to compute, a non-empty subset of the signature's
   * @param phases told when inputs are ready and when inference is done, so that the server can
   *     report the time spent in each phase
   * @return the requested outputs by name; the caller owns the returned buffers
   * @throws InferenceException when the runtime fails
   */
  Map<String, Tensor> execute(Map<String, Tensor> inputs, Set<String> outputs, ComputePhases phases)
      throws InferenceException;

  /** Frees the instance's resources; it is not used again. */
  @Override
  void close();
}
