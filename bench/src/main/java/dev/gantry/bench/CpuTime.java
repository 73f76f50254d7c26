package dev.gantry.bench;

import java.util.OptionalLong;
import java.util.function.LongBinaryOperator;

/**
 * CPU time, in nanoseconds, of the measured server process and of this load generator, each when
 * known: the two together tell whether the server or the generator limited a run.
 *
 * @param server the measured process ({@code --server-pid}, or this process in-process)
 * @param client this load generator, when it is a process of its own
 */
public record CpuTime(OptionalLong server, OptionalLong client) {
  /** Nothing measured. */
  static final CpuTime NONE = new CpuTime(OptionalLong.empty(), OptionalLong.empty());

  /** The time used since {@code earlier}. */
  CpuTime minus(CpuTime earlier) {
    return new CpuTime(combine(server, earlier.server, (a, b) -> a - b),
        combine(client, earlier.client, (a, b) -> a - b));
  }

  /** Both together. */
  CpuTime plus(CpuTime other) {
    return new CpuTime(combine(server, other.server, Long::sum),
        combine(client, other.client, Long::sum));
  }

  private static OptionalLong combine(OptionalLong a, OptionalLong b, LongBinaryOperator op) {
    return a.isPresent() && b.isPresent()
        ? OptionalLong.of(op.applyAsLong(a.getAsLong(), b.getAsLong()))
        : OptionalLong.empty();
  }
}
