package dev.gantry.spi;

/**
 * Marks the boundaries between the three phases of one execution, as Triton's statistics split
 * them: preparing inputs, running inference, and collecting outputs.
 */
public interface ComputePhases {
  /** Nothing to mark; for callers that do not measure. */
  ComputePhases IGNORED =
      new ComputePhases() {
        @Override
        public void inputsReady() {}

        @Override
        public void inferenceDone() {}
      };

  /** The inputs are in the runtime's hands; inference starts now. */
  void inputsReady();

  /** Inference has finished; collecting outputs starts now. */
  void inferenceDone();
}
