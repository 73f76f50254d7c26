package dev.gantry.bench.soak;

import dev.gantry.client.InferenceClient;
import dev.gantry.client.RetryPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gantry bench soak}: drives a running Gantry serving {@code examples/models} with a mixed
 * load, then floods it far beyond what its queues hold, then leaves it idle, sampling its memory
 * throughout; prints (and optionally writes) a Markdown report. It checks that no call ended with
 * an unexpected status, that the memory outside the heap did not keep growing under the mixed
 * load, and that the resident set came back to within 1.5 times its pre-flood level after the idle
 * period. Exit status 0 when all three hold, 1 otherwise. {@code scripts/soak.sh} starts the server
 * and runs it.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Mixed load, then a flood, then idle, against a running Gantry on "
        + "examples/models; reports the server's memory before, at the flood's peak and after.")
public final class SoakCommand implements Callable<Integer> {
  /** The resident set after the idle period may be at most this multiple of the pre-flood one. */
  static final double RSS_RECOVERY_BOUND = 1.5;

  @Spec CommandSpec spec;

  @Option(names = "--target", required = true, paramLabel = "HOST:PORT",
      description = "The server's gRPC address.")
  String target;

  @Option(names = "--metrics", required = true, paramLabel = "URL",
      description = "The server's Prometheus endpoint, e.g. http://127.0.0.1:8002/metrics.")
  URI metrics;

  @Option(names = "--pid", required = true, description = "The server's process id (its RSS is "
      + "read from /proc/PID/status).")
  long pid;

  @Option(names = "--mixed-seconds", defaultValue = "90",
      description = "Seconds of mixed load (default: ${DEFAULT-VALUE}).")
  int mixedSeconds;

  @Option(names = "--threads", defaultValue = "8",
      description = "Client threads of the mixed load (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--flood-concurrency", defaultValue = "512",
      description = "Calls in flight during the flood (default: ${DEFAULT-VALUE}).")
  int floodConcurrency;

  @Option(names = "--flood-seconds", defaultValue = "20",
      description = "Seconds of flood (default: ${DEFAULT-VALUE}).")
  int floodSeconds;

  @Option(names = "--idle-seconds", defaultValue = "60",
      description = "Seconds of idle after the flood (default: ${DEFAULT-VALUE}).")
  int idleSeconds;

  @Option(names = "--sample-seconds", defaultValue = "5",
      description = "Seconds between memory samples (default: ${DEFAULT-VALUE}).")
  int sampleSeconds;

  @Option(names = "--setup", defaultValue = "", paramLabel = "TEXT",
      description = "How the server was started, for the report.")
  String setup;

  @Option(names = "--report", paramLabel = "FILE",
      description = "Also write the Markdown report to this file.")
  Path report;

  @Override
  public Integer call() throws Exception {
    if (mixedSeconds < 0 || floodSeconds < 1 || idleSeconds < 0 || threads < 1
        || floodConcurrency < 1 || sampleSeconds < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "durations must be 0 or more (the flood's at least 1), counts at least 1");
    }
    ServerMemory memory = new ServerMemory(pid, metrics);
    List<SoakReport.Phase> phases = new ArrayList<>();
    List<ServerMemory.Sample> samples = Collections.synchronizedList(new ArrayList<>());
    AtomicLong peakRss = new AtomicLong();
    Thread sampler = new Thread(() -> sample(memory, samples, peakRss), "soak-sampler");
    sampler.setDaemon(true);
    try (InferenceClient client = InferenceClient.builder()
        .target(target)
        .retryPolicy(RetryPolicy.none())
        .defaultDeadline(Duration.ofSeconds(30))
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build()) {
      sampler.start();
      Outcomes mixed = MixedLoad.run(client, threads, Duration.ofSeconds(mixedSeconds));
      List<ServerMemory.Sample> mixedSamples;
      synchronized (samples) {
        mixedSamples = List.copyOf(samples);
      }
      phases.add(new SoakReport.Phase("mixed", mixedSeconds, mixed, mixedSamples));
      ServerMemory.Sample before = memory.sample();
      peakRss.set(before.rssBytes());
      Outcomes flood = Flood.run(client, floodConcurrency, Duration.ofSeconds(floodSeconds));
      ServerMemory.Sample atEnd = memory.sample();
      phases.add(new SoakReport.Phase("flood", floodSeconds, flood, List.of()));
      Thread.sleep(Duration.ofSeconds(idleSeconds).toMillis());
      ServerMemory.Sample after = memory.sample();
      sampler.interrupt();
      sampler.join(10_000);
      List<ServerMemory.Sample> allSamples;
      synchronized (samples) {
        allSamples = List.copyOf(samples);
      }
      String markdown = new SoakReport(setup, target, floodConcurrency, phases, allSamples, before, Math.max(peakRss.get(), atEnd.rssBytes()), after,
          idleSeconds).markdown();
      PrintWriter out = spec.commandLine().getOut();
      out.print(markdown);
      out.flush();
      if (report != null) {
        Files.writeString(report, markdown, StandardCharsets.UTF_8);
      }
      return SoakReport.passed(phases, before, after) ? 0 : 1;
    }
  }

  /** Memory every sample period, and the resident set's peak every 250 ms. */
  private void sample(
      ServerMemory memory, List<ServerMemory.Sample> samples, AtomicLong peakRss) {
    long next = System.nanoTime();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        if (System.nanoTime() - next >= 0) {
          samples.add(memory.sample());
          next += Duration.ofSeconds(sampleSeconds).toNanos();
        }
        long rss = memory.rss();
        peakRss.accumulateAndGet(rss, Math::max);
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println("soak: cannot sample the server's memory: " + e.getMessage());
    }
  }
}
