package dev.gantry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs every load level of a run in order and collects their results, warning when an open loop
 * could not keep its schedule and stopping early when the run's time is up.
 */
final class Benchmark {
  /** Above this share of late requests the generator, not the server, may be limiting. */
  static final double LATE_WARNING = 0.01;

  private final List<Level> levels;
  private final LevelRunner runner;
  private final Progress progress;
  private final RunLimits limits;
  private boolean completed;

  Benchmark(List<Level> levels, LevelRunner runner, Progress progress, RunLimits limits) {
    this.levels = List.copyOf(levels);
    this.runner = runner;
    this.progress = progress;
    this.limits = limits;
  }

  /**
   * Measures every level.
   *
   * @param payloadBytes the input bytes of one request
   * @param batchSize the batch items of one request
   */
  List<LevelResult> run(long payloadBytes, int batchSize) {
    List<LevelResult> results = new ArrayList<>();
    boolean cutShort = false;
    for (Level level : levels) {
      if (limits.expired()) {
        break;
      }
      Optional<LevelResult> result = runner.run(level, payloadBytes, batchSize);
      result.ifPresent(results::add);
      cutShort |= result.map(LevelResult::cutShort).orElse(true);
      result.filter(r -> r.lateFraction() > LATE_WARNING).ifPresent(r -> progress.warn(String.format(
          Locale.ROOT, "%.1f%% of the requests at request rate %s left more than 1 ms late: the"
              + " load generator could not keep the schedule (try --max-threads or"
              + " --max-outstanding, or a lower rate)", 100 * r.lateFraction(), level.formatted())));
      result.filter(r -> !r.stable() && !r.cutShort()).ifPresent(r -> progress.warn(
          level.kind().title() + " " + level.formatted() + " did not stabilise within "
              + r.trials() + " windows; reporting the last ones"));
    }
    completed = !cutShort && results.size() == levels.size();
    if (!completed) {
      progress.warn("--max-duration reached: " + results.size() + " of " + levels.size()
          + " load levels measured" + (cutShort ? ", the last one cut short" : ""));
    }
    return results;
  }

  /** Whether every level was measured in full. */
  boolean completed() {
    return completed;
  }
}
