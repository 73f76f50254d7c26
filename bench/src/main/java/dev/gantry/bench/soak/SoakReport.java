package dev.gantry.bench.soak;

import static dev.gantry.bench.soak.ServerMemory.mib;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The soak's Markdown report and its verdict. */
final class SoakReport {
  /** One phase of the run: its outcomes and the memory samples taken during it. */
  record Phase(String name, int seconds, Outcomes outcomes, List<ServerMemory.Sample> samples) {}

  private final String setup;
  private final String target;
  private final int floodConcurrency;
  private final List<Phase> phases;
  private final List<ServerMemory.Sample> samples;
  private final ServerMemory.Sample before;
  private final long peakRss;
  private final ServerMemory.Sample after;
  private final int idleSeconds;

  SoakReport(String setup, String target, int floodConcurrency, List<Phase> phases,
      List<ServerMemory.Sample> samples, ServerMemory.Sample before, long peakRss,
      ServerMemory.Sample after, int idleSeconds) {
    this.setup = setup;
    this.target = target;
    this.floodConcurrency = floodConcurrency;
    this.phases = phases;
    this.samples = samples;
    this.before = before;
    this.peakRss = peakRss;
    this.after = after;
    this.idleSeconds = idleSeconds;
  }

  /** Whether the memory outside the heap grew by more than a quarter (and 64 MiB) in the run. */
  static boolean growing(List<ServerMemory.Sample> samples) {
    if (samples.size() < 3) {
      return false;
    }
    int third = samples.size() / 3;
    double first = samples.subList(0, third).stream()
        .mapToDouble(ServerMemory.Sample::offHeapBytes).max().orElse(0);
    double last = samples.subList(samples.size() - third, samples.size()).stream()
        .mapToDouble(ServerMemory.Sample::offHeapBytes).max().orElse(0);
    return last > first * 1.25 + 64 * 1024 * 1024;
  }

  static boolean recovered(ServerMemory.Sample before, ServerMemory.Sample after) {
    return after.rssBytes() <= SoakCommand.RSS_RECOVERY_BOUND * before.rssBytes();
  }

  static boolean passed(List<Phase> phases, ServerMemory.Sample before, ServerMemory.Sample after) {
    long unexpected = phases.stream().mapToLong(phase -> phase.outcomes().unexpected()).sum();
    return unexpected == 0 && !growing(phases.get(0).samples()) && recovered(before, after);
  }

  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# Soak results\n\n");
    out.append("Written by `gantry bench soak` (run by `scripts/soak.sh`); how it works and what ")
        .append("it checks: [reliability.md](reliability.md#soak).\n\n");
    out.append("## Setup\n\n");
    out.append("- Server: ").append(setup.isEmpty() ? target : setup).append('\n');
    out.append(String.format(Locale.ROOT, "- Phases: mixed load for %d s, a flood of %d calls "
        + "in flight (one in %d, at most %d at a time, with a %d MiB BYTES element) for %d s, "
        + "then %d s idle.%n%n",
        phases.get(0).seconds(), floodConcurrency, Flood.LARGE_ONE_IN, Flood.MAX_LARGE_IN_FLIGHT,
        Flood.LARGE_ELEMENT_BYTES >> 20,
        phases.get(1).seconds(), idleSeconds));
    for (Phase phase : phases) {
      out.append("## ").append(phase.name()).append("\n\n");
      out.append("| operation | outcome | calls |\n|---|---|---:|\n");
      for (Map.Entry<String, Long> entry : phase.outcomes().table().entrySet()) {
        String[] parts = entry.getKey().split(" ");
        out.append(String.format(Locale.ROOT, "| %s | %s | %d |%n", parts[0], parts[1],
            entry.getValue()));
      }
      long calls = phase.outcomes().total();
      out.append(String.format(Locale.ROOT, "%n%d calls in %d s; successful calls p50 %.1f ms, "
          + "p99 %.1f ms; %d with an unexpected status.%n%n", calls, phase.seconds(),
          phase.outcomes().percentileMillis(0.5), phase.outcomes().percentileMillis(0.99),
          phase.outcomes().unexpected()));
    }
    out.append("## Memory\n\n");
    out.append(String.format(Locale.ROOT, "| | RSS (MiB) |%n|---|---:|%n"
        + "| before the flood | %.0f |%n| peak during the flood | %.0f |%n"
        + "| after %d s idle | %.0f (%.2fx before; the bound is %.1fx) |%n%n",
        mib(before.rssBytes()), mib(peakRss), idleSeconds, mib(after.rssBytes()),
        after.rssBytes() / (double) before.rssBytes(), SoakCommand.RSS_RECOVERY_BOUND));
    out.append("Samples: RSS is the server process's resident set; the other columns are the ")
        .append("server's own gauges (`jvm_memory_used_bytes` and `jvm_memory_committed_bytes` of ")
        .append("the heap, `jvm_memory_used_bytes` of non-heap, `jvm_buffer_pool_used_bytes` of ")
        .append("direct buffers).\n\n");
    out.append("| t (s) | RSS (MiB) | heap used (MiB) | heap committed (MiB) "
        + "| RSS - heap committed (MiB) | JVM non-heap used (MiB) | direct buffers (MiB) |\n");
    out.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ServerMemory.Sample sample : samples) {
      out.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f |%n",
          sample.seconds(), mib(sample.rssBytes()), mib(sample.heapBytes()),
          mib(sample.heapCommittedBytes()), mib(sample.offHeapBytes()),
          mib(sample.nonHeapBytes()), mib(sample.directBytes())));
    }
    boolean passed = passed(phases, before, after);
    out.append(String.format(Locale.ROOT, "%nVerdict: %s. Memory outside the heap under the "
        + "mixed load: %s; RSS after the idle period %s.%n",
        passed ? "passed" : "FAILED",
        growing(phases.get(0).samples()) ? "GROWING" : "flat",
        recovered(before, after) ? "within the bound" : "OVER THE BOUND"));
    return out.toString();
  }
}
