package dev.gantry.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress line on stderr: one line per measurement window, rewritten in place on a
 * terminal, so that a long run shows where it is without cluttering the report on stdout.
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private final int percentile;

  Progress(PrintStream out, boolean terminal, int percentile) {
    this.out = out;
    this.terminal = terminal;
    this.percentile = percentile;
  }

  void window(Level level, int trial, int maxTrials, Window window, boolean stable) {
    long errors = window.sample().errors().values().stream().mapToLong(Long::longValue).sum();
    String line = String.format(Locale.ROOT,
        "%s %s: window %d/%d  %.1f infer/s  %s %.0f us  errors %d%s",
        level.kind().title(), level.formatted(), trial, maxTrials, window.throughput(),
        percentile == 0 ? "avg" : "p" + percentile, window.latencyMicros(percentile), errors,
        stable ? "  stable" : "");
    out.print(terminal ? "\r\033[K" + line : line + System.lineSeparator());
    out.flush();
  }

  void levelDone() {
    if (terminal) {
      out.println();
    }
  }

  void warn(String message) {
    levelDone();
    out.println("warning: " + message);
    out.flush();
  }
}
