package dev.gantry.spi;

/**
 * Where the configuration asks a model instance to run, as in an {@code instance_group}'s kind.
 */
public enum DeviceKind {
  /** A GPU when the backend finds one usable, otherwise the CPU (with a log line). */
  AUTO,
  /** The CPU, whatever else the machine has. */
  CPU,
  /** The GPU given by {@link InstanceSpec#deviceId()}; loading fails with a reason without one. */
  GPU
}
