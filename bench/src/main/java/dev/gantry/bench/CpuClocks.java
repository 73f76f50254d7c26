package dev.gantry.bench;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The processes whose CPU time a run reads at each window's edges: the server's, when it runs on
 * this machine, and the load generator's own, when it is not the same process.
 */
record CpuClocks(Optional<ProcessCpu> server, Optional<ProcessCpu> client) {
  /** This process, as the generator of a remote run. */
  static Optional<ProcessCpu> self() {
    return Optional.of(new ProcessCpu(ProcessHandle.current().pid()));
  }

  CpuTime read() {
    return new CpuTime(read(server), read(client));
  }

  private static OptionalLong read(Optional<ProcessCpu> process) {
    return process.map(ProcessCpu::read).orElse(OptionalLong.empty());
  }
}
