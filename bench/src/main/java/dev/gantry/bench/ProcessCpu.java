package dev.gantry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads the CPU time (user plus system, all threads) a process on this machine has used so far,
 * from Linux's {@code /proc/<pid>/stat}, so that the report can show CPU cost per inference of
 * the server ({@code --server-pid}) or of the in-process benchmark.
 *
 * <p>The kernel counts in clock ticks of 10 ms ({@code USER_HZ} is 100 on every Linux platform
 * Java runs on), which is precise enough over windows of seconds.
 */
final class ProcessCpu {
  private static final long NANOS_PER_TICK = 10_000_000;
  private static final int UTIME_FIELD = 14;

  private final Path stat;

  ProcessCpu(long pid) {
    this.stat = Path.of("/proc", Long.toString(pid), "stat");
  }

  /** The process's CPU time in nanoseconds, or empty when it cannot be read (no such process, not Linux). */
  OptionalLong read() {
    String text;
    try {
      text = Files.readString(stat, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return OptionalLong.empty();
    }
    return parse(text);
  }

  /** The CPU time in a {@code stat} line: fields 14 (utime) and 15 (stime), after the command name. */
  static OptionalLong parse(String statLine) {
    int afterName = statLine.lastIndexOf(')');
    if (afterName < 0) {
      return OptionalLong.empty();
    }
    String[] fields = statLine.substring(afterName + 2).trim().split(" ");
    int offset = 3;
    if (fields.length < UTIME_FIELD - offset + 2) {
      return OptionalLong.empty();
    }
    try {
      long ticks = Long.parseLong(fields[UTIME_FIELD - offset])
          + Long.parseLong(fields[UTIME_FIELD - offset + 1]);
      return OptionalLong.of(ticks * NANOS_PER_TICK);
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
