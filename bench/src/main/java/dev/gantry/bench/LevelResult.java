package dev.gantry.bench;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one load level, with every figure the reports print derived in one place so that
 * the table, CSV, JSON and HTML always agree. Times are in microseconds, averages per request.
 *
 * @param level the load level
 * @param measured the windows reported, merged (the last three, or fewer if fewer ran)
 * @param trials how many windows were measured in all
 * @param stable whether the last three windows agreed within the stability percentage
 * @param cutShort whether the run's deadline ended the level before it was stable or out of trials
 * @param payloadBytes the input bytes of one request (the first of the data set)
 * @param batchSize the batch items of each request
 */
public record LevelResult(Level level, Window measured, int trials, boolean stable, boolean cutShort,
    long payloadBytes, int batchSize) {

  /** Inferences (batch items) per second, as perf_analyzer counts them. */
  public double throughput() {
    return measured.throughput() * batchSize;
  }

  public double percentileMicros(double percentile) {
    return percentileMicros(measured.sample().latencies(), percentile);
  }

  /**
   * A percentile of two requests in a row taken together, when the level kept one request
   * outstanding (the only load under which such a pair means something); empty otherwise.
   */
  public OptionalDouble backToBackPercentileMicros(double percentile) {
    return level.kind() == Level.Kind.CONCURRENCY && level.value() == 1
        && measured.sample().backToBack().getTotalCount() > 0
        ? OptionalDouble.of(percentileMicros(measured.sample().backToBack(), percentile))
        : OptionalDouble.empty();
  }

  private static double percentileMicros(Histogram latencies, double percentile) {
    return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1000.0;
  }

  public double meanMicros() {
    return measured.latencyMicros(0);
  }

  public long successes() {
    return measured.sample().successes();
  }

  public long errorCount() {
    return measured.sample().errors().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Failed requests over all finished ones, 0 when none finished. */
  public double errorRate() {
    long finished = successes() + errorCount();
    return finished == 0 ? 0 : (double) errorCount() / finished;
  }

  public double clientSendMicros() {
    return perSuccess(measured.sample().sendNanos());
  }

  public double clientRecvMicros() {
    return perSuccess(measured.sample().receiveNanos());
  }

  public double queueMicros() {
    ServerStats server = measured.server();
    return average(server.queueNanos(), server.queueCount());
  }

  public double computeInputMicros() {
    ServerStats server = measured.server();
    return average(server.inputNanos(), server.computeCount());
  }

  public double computeInferMicros() {
    ServerStats server = measured.server();
    return average(server.inferNanos(), server.computeCount());
  }

  public double computeOutputMicros() {
    ServerStats server = measured.server();
    return average(server.outputNanos(), server.computeCount());
  }

  /** The server's own average request time, receipt to response, when it reports one. */
  public double serverMicros() {
    ServerStats server = measured.server();
    return average(server.successNanos(), server.successCount());
  }

  /**
   * perf_analyzer's "Network+Server Send/Recv": the mean latency minus the client's own time and
   * the server's queue and compute time; the transport, (de)serialisation and server overhead.
   */
  public double networkMicros() {
    return Math.max(0, meanMicros() - clientSendMicros() - clientRecvMicros() - queueMicros()
        - computeInputMicros() - computeInferMicros() - computeOutputMicros());
  }

  /** Batch items per model execution over the window; 0 without server statistics. */
  public double averageBatch() {
    ServerStats server = measured.server();
    return server.executions() == 0 ? 0 : (double) server.inferences() / server.executions();
  }

  /** CPU time of the server per inference (batch item), when it was measured. */
  public OptionalDouble cpuMicrosPerInference() {
    return perInference(measured.cpu().server());
  }

  /** CPU time of the load generator per inference (batch item), when it was measured. */
  public OptionalDouble clientCpuMicrosPerInference() {
    return perInference(measured.cpu().client());
  }

  /** Requests that left more than a millisecond after their scheduled time, over all sent. */
  public double lateFraction() {
    long issued = measured.sample().issued();
    return issued == 0 ? 0 : (double) measured.sample().late() / issued;
  }

  private OptionalDouble perInference(OptionalLong nanos) {
    if (nanos.isEmpty() || successes() == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(nanos.getAsLong() / 1000.0 / successes() / batchSize);
  }

  private double perSuccess(long nanos) {
    return average(nanos, successes());
  }

  private static double average(long nanos, long count) {
    return count <= 0 ? 0 : nanos / 1000.0 / count;
  }
}
