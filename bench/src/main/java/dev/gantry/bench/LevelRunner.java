package dev.gantry.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Measures one load level the way perf_analyzer does: starts the load, lets it warm up, then
 * measures windows (by time or by request count) until the last three agree or the trials run
 * out, and stops the load. The reported figures merge the last three windows.
 */
final class LevelRunner {
  private static final long POLL_MILLIS = 5;
  private static final Duration DRAIN = Duration.ofSeconds(10);

  private final MeasureSettings settings;
  private final Supplier<RequestIssuer> issuers;
  private final Drivers drivers;
  private final StatsSource stats;
  private final CpuClocks cpu;
  private final Progress progress;
  private final RunLimits limits;

  /**
   * @param issuers opens the issuer of one level (a new stream per level in stream mode)
   * @param cpu the processes whose CPU time is measured
   */
  LevelRunner(MeasureSettings settings, Supplier<RequestIssuer> issuers, Drivers drivers,
      StatsSource stats, CpuClocks cpu, Progress progress, RunLimits limits) {
    this.settings = settings;
    this.issuers = issuers;
    this.drivers = drivers;
    this.stats = stats;
    this.cpu = cpu;
    this.progress = progress;
    this.limits = limits;
  }

  /**
   * Runs the level.
   *
   * @param payloadBytes the input bytes of one request, carried into the result
   * @param batchSize the batch items of one request, carried into the result
   * @return empty when the run's deadline passed before a single window was measured
   */
  Optional<LevelResult> run(Level level, long payloadBytes, int batchSize) {
    WindowRecorder recorder = new WindowRecorder();
    List<Window> windows = new ArrayList<>();
    boolean stable = false;
    try (RequestIssuer issuer = issuers.get()) {
      LoadDriver driver = drivers.create(level, issuer, recorder, limits);
      driver.start();
      try {
        warmUp(recorder);
        for (int trial = 1; trial <= settings.maxTrials() && !limits.expired()
            && !Thread.currentThread().isInterrupted(); trial++) {
          windows.add(measure(recorder));
          stable = Stability.isStable(windows, settings.stabilityPercentage(), settings.percentile());
          progress.window(level, trial, settings.maxTrials(), windows.get(windows.size() - 1), stable);
          if (stable) {
            break;
          }
        }
      } finally {
        driver.stop(DRAIN);
      }
    }
    progress.levelDone();
    if (windows.isEmpty()) {
      return Optional.empty();
    }
    List<Window> reported = windows.subList(Math.max(0, windows.size() - Stability.WINDOWS), windows.size());
    Window merged = reported.get(0);
    for (Window window : reported.subList(1, reported.size())) {
      merged = merged.merge(window);
    }
    boolean cutShort = !stable && windows.size() < settings.maxTrials();
    return Optional.of(
        new LevelResult(level, merged, windows.size(), stable, cutShort, payloadBytes, batchSize));
  }

  private void warmUp(WindowRecorder recorder) {
    long end = System.nanoTime() + settings.warmupMillis() * 1_000_000;
    while (recorder.completedSinceTake() < settings.warmupRequests()
        && System.nanoTime() - end < 0 && !limits.expired()) {
      if (!pause()) {
        break;
      }
    }
    recorder.take();
  }

  private Window measure(WindowRecorder recorder) {
    Optional<ServerStats> before = snapshot();
    CpuTime cpuBefore = cpu.read();
    recorder.take();
    long start = System.nanoTime();
    long limit = start + 1_000_000 * (settings.requestCount() > 0
        ? settings.countWindowLimitMillis()
        : settings.intervalMillis());
    while (System.nanoTime() - limit < 0 && !limits.expired()
        && (settings.requestCount() == 0 || recorder.completedSinceTake() < settings.requestCount())) {
      if (!pause()) {
        break;
      }
    }
    WindowRecorder.Sample sample = recorder.take();
    long duration = System.nanoTime() - start;
    Optional<ServerStats> after = snapshot();
    CpuTime cpuAfter = cpu.read();
    ServerStats server = before.isPresent() && after.isPresent()
        ? after.get().minus(before.get())
        : ServerStats.ZERO;
    return new Window(duration, sample, server, cpuAfter.minus(cpuBefore));
  }

  private Optional<ServerStats> snapshot() {
    try {
      return Optional.of(stats.snapshot());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Sleeps a moment; false when interrupted, which ends the wait. */
  private static boolean pause() {
    try {
      Thread.sleep(POLL_MILLIS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
