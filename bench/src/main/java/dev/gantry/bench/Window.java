package dev.gantry.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Everything measured over one measurement window (or several merged): what the client recorded,
 * the change in the server's statistics, and the CPU time the measured process used.
 *
 * @param durationNanos the window's length
 * @param sample what the client recorded
 * @param server the server's statistics over the window
 * @param cpu CPU time of the server and of the load generator over the window
 */
public record Window(long durationNanos, WindowRecorder.Sample sample, ServerStats server, CpuTime cpu) {

  /** Completed requests per second. */
  double throughput() {
    return durationNanos == 0 ? 0 : sample.successes() * 1e9 / durationNanos;
  }

  /** The latency figure a run's stability is judged on: the mean, or a percentile. */
  double latencyMicros(int percentile) {
    Histogram latencies = sample.latencies();
    if (latencies.getTotalCount() == 0) {
      return 0;
    }
    double nanos = percentile == 0 ? latencies.getMean() : latencies.getValueAtPercentile(percentile);
    return nanos / 1000;
  }

  /** This window and another taken together, as one window of both lengths. */
  Window merge(Window other) {
    Histogram latencies = sample.latencies().copy();
    latencies.add(other.sample.latencies());
    Histogram backToBack = sample.backToBack().copy();
    backToBack.add(other.sample.backToBack());
    Map<String, Long> errors = new TreeMap<>(sample.errors());
    other.sample.errors().forEach((code, count) -> errors.merge(code, count, Long::sum));
    WindowRecorder.Sample merged = new WindowRecorder.Sample(
        latencies,
        backToBack,
        sample.successes() + other.sample.successes(),
        errors,
        sample.sendNanos() + other.sample.sendNanos(),
        sample.receiveNanos() + other.sample.receiveNanos(),
        sample.issued() + other.sample.issued(),
        sample.late() + other.sample.late());
    return new Window(durationNanos + other.durationNanos, merged, server.plus(other.server),
        cpu.plus(other.cpu));
  }
}
