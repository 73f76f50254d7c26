import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferStream;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import dev.gantry.client.RetryPolicy;
import io.grpc.Status;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load of {@code scripts/soak.sh}: drives a running Gantry serving {@code examples/models}
 * with a mix of what clients do (unary, asynchronous and streamed inference on every example
 * model, metadata and statistics calls, malformed requests, cancellations) from several threads
 * for a bounded time, samples the server's resident memory and its heap and direct-buffer gauges
 * from {@code /metrics}, and prints a summary. It exits 1 if any call ended unexpectedly or the
 * server's memory outside its Java heap kept growing (the heap itself may grow up to its maximum
 * as the collector sees fit; its use after collections is in the table).
 *
 * <p>Run by soak.sh as a single-file program: {@code java -cp CLIENT_CLASSPATH SoakLoad.java
 * --target HOST:PORT --metrics URL --pid PID --minutes N}.
 */
public final class SoakLoad {
  private static final int THREADS = 8;
  private static final long SAMPLE_MILLIS = 5_000;

  /** One kind of call, how often it is picked, and what counts as its expected outcome. */
  private enum Operation {
    INFER_SIMPLE(30, Status.Code.OK),
    INFER_ASYNC_IDENTITY(20, Status.Code.OK),
    INFER_MIXED_BYTES(15, Status.Code.OK),
    STREAM_OF_20(5, Status.Code.OK),
    METADATA_AND_STATISTICS(10, Status.Code.OK),
    MALFORMED(10, Status.Code.INVALID_ARGUMENT),
    CANCELLED(10, Status.Code.CANCELLED, Status.Code.OK);

    final int weight;
    final Set<Status.Code> expected;

    /** @param expected the outcomes that are normal (a call cancelled late may have succeeded) */
    Operation(int weight, Status.Code... expected) {
      this.weight = weight;
      this.expected = Set.of(expected);
    }
  }

  /** Counts by operation and outcome, and latencies of successful calls in log buckets. */
  private static final class Tally {
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final long[] buckets = new long[400];

    void count(Operation operation, Status.Code code) {
      outcomes.computeIfAbsent(operation + " " + code, k -> new LongAdder()).increment();
    }

    synchronized void latency(long nanos) {
      int bucket = (int) Math.min(buckets.length - 1,
          Math.max(0, Math.round(Math.log(Math.max(1, nanos / 1000.0)) / Math.log(1.05))));
      buckets[bucket]++;
    }

    synchronized double percentileMillis(double fraction) {
      long total = 0;
      for (long count : buckets) {
        total += count;
      }
      long seen = 0;
      for (int i = 0; i < buckets.length; i++) {
        seen += buckets[i];
        if (total > 0 && seen >= fraction * total) {
          return Math.pow(1.05, i) / 1000.0;
        }
      }
      return 0;
    }

    long unexpected() {
      long count = 0;
      for (Map.Entry<String, LongAdder> entry : outcomes.entrySet()) {
        String[] parts = entry.getKey().split(" ");
        Operation operation = Operation.valueOf(parts[0]);
        Status.Code code = Status.Code.valueOf(parts[1]);
        if (!operation.expected.contains(code) && code != Status.Code.RESOURCE_EXHAUSTED) {
          count += entry.getValue().sum();
        }
      }
      return count;
    }
  }

  /**
   * One memory sample of the server: its resident set, its heap in use and committed, the JVM's
   * non-heap memory in use (compiled code, class metadata), and its direct buffers in use. The
   * resident set less the committed heap is roughly what the process holds outside the Java heap
   * (native runtimes, thread stacks, transport buffers, compiled code).
   */
  private record Sample(
      long seconds, long rssBytes, double heapBytes, double heapCommittedBytes,
      double nonHeapBytes, double directBytes) {
    double offHeapBytes() {
      return rssBytes - heapCommittedBytes;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String target = options.get("--target");
    URI metrics = URI.create(options.get("--metrics"));
    long pid = Long.parseLong(options.get("--pid"));
    long minutes = Long.parseLong(options.getOrDefault("--minutes", "3"));
    if (minutes < 1 || minutes > 60) {
      throw new IllegalArgumentException("--minutes must be 1 to 60");
    }
    long start = System.nanoTime();
    long end = start + TimeUnit.MINUTES.toNanos(minutes);
    Tally tally = new Tally();
    List<Sample> samples = new ArrayList<>();
    try (InferenceClient client = InferenceClient.builder()
        .target(target)
        .retryPolicy(RetryPolicy.none())
        .defaultDeadline(Duration.ofSeconds(10))
        .build()) {
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Thread worker = new Thread(() -> drive(client, tally, end), "soak-load-" + i);
        worker.start();
        workers.add(worker);
      }
      HttpClient http = HttpClient.newHttpClient();
      while (System.nanoTime() < end) {
        samples.add(sample(http, metrics, pid, start));
        Thread.sleep(Math.min(SAMPLE_MILLIS,
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
      }
      for (Thread worker : workers) {
        worker.join();
      }
      samples.add(sample(http, metrics, pid, start));
    }
    System.exit(report(tally, samples, minutes) ? 0 : 1);
  }

  private static void drive(InferenceClient client, Tally tally, long end) {
    int total = 0;
    for (Operation operation : Operation.values()) {
      total += operation.weight;
    }
    while (System.nanoTime() < end) {
      int pick = ThreadLocalRandom.current().nextInt(total);
      Operation operation = Operation.values()[0];
      for (Operation candidate : Operation.values()) {
        if (pick < candidate.weight) {
          operation = candidate;
          break;
        }
        pick -= candidate.weight;
      }
      long begin = System.nanoTime();
      Status.Code code;
      try {
        run(client, operation);
        code = Status.Code.OK;
        tally.latency(System.nanoTime() - begin);
      } catch (InferenceClientException e) {
        code = e.code();
      } catch (CancellationException e) {
        code = Status.Code.CANCELLED;
      } catch (Exception e) {
        code = e.getCause() instanceof InferenceClientException known
            ? known.code()
            : Status.Code.UNKNOWN;
        if (code == Status.Code.UNKNOWN) {
          System.err.println(operation + ": " + e);
        }
      }
      tally.count(operation, code);
    }
  }

  private static float[] random(int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = ThreadLocalRandom.current().nextFloat();
    }
    return values;
  }

  private static InferRequest simple(int rows) {
    return InferRequest.builder("simple")
        .input(InferInput.fp32("INPUT0", random(rows * 16), rows, 16))
        .input(InferInput.fp32("INPUT1", random(rows * 16), rows, 16))
        .build();
  }

  private static void run(InferenceClient client, Operation operation) throws Exception {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    switch (operation) {
      case INFER_SIMPLE -> check(client.infer(simple(1 + random.nextInt(4))), "OUTPUT0");
      case INFER_ASYNC_IDENTITY -> check(client.inferAsync(InferRequest.builder("identity_fp32")
          .input(InferInput.fp32("INPUT0", random(8), 2, 4)).build())
          .get(10, TimeUnit.SECONDS), "OUTPUT0");
      case INFER_MIXED_BYTES -> {
        int rows = 1 + random.nextInt(3);
        List<String> labels = new ArrayList<>();
        long[] offsets = new long[rows];
        for (int i = 0; i < rows; i++) {
          labels.add("label-" + random.nextInt(1000));
          offsets[i] = random.nextLong(100);
        }
        check(client.infer(InferRequest.builder("mixed")
            .input(InferInput.fp32("features", random(rows * 4), rows, 4))
            .input(InferInput.int64("offset", offsets, rows, 1))
            .input(InferInput.strings("label", labels, rows, 1))
            .build()), "label_out");
      }
      case STREAM_OF_20 -> {
        List<CompletableFuture<InferResult>> responses = new ArrayList<>();
        try (InferStream stream = client.openStream(Duration.ofSeconds(30))) {
          for (int i = 0; i < 20; i++) {
            responses.add(stream.send(simple(1)));
          }
        }
        for (CompletableFuture<InferResult> response : responses) {
          check(response.get(10, TimeUnit.SECONDS), "OUTPUT1");
        }
      }
      case METADATA_AND_STATISTICS -> {
        client.modelMetadata("mixed");
        client.modelStatistics("simple");
        if (!client.isModelReady("identity_fp32")) {
          throw new IllegalStateException("identity_fp32 is not ready");
        }
      }
      case MALFORMED -> client.infer(InferRequest.builder("simple")
          .input(InferInput.fp32("INPUT0", random(15), 1, 15))
          .input(InferInput.fp32("INPUT1", random(15), 1, 15))
          .build());
      case CANCELLED -> {
        CompletableFuture<InferResult> call = client.inferAsync(simple(4));
        call.cancel(true);
        call.get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void check(InferResult result, String output) {
    if (result.output(output).elementCount() == 0) {
      throw new IllegalStateException("empty output " + output);
    }
  }

  private static Sample sample(HttpClient http, URI metrics, long pid, long start)
      throws IOException, InterruptedException {
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    String body = http.send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return new Sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), rss,
        gauge(body, "jvm_memory_used_bytes{area=\"heap\"}"),
        gauge(body, "jvm_memory_committed_bytes{area=\"heap\"}"),
        gauge(body, "jvm_memory_used_bytes{area=\"nonheap\"}"),
        gauge(body, "jvm_buffer_pool_used_bytes{pool=\"direct\"}"));
  }

  private static double gauge(String exposition, String name) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  private static double mib(double bytes) {
    return bytes / (1024 * 1024);
  }

  /** Prints the summary; true when nothing unexpected happened and memory did not keep growing. */
  private static boolean report(Tally tally, List<Sample> samples, long minutes) {
    System.out.printf(Locale.ROOT, "Soak: %d minutes, %d threads, mixed load%n%n", minutes,
        THREADS);
    long calls = 0;
    System.out.println("| operation | outcome | calls |");
    System.out.println("|---|---|---:|");
    for (Map.Entry<String, LongAdder> entry : new TreeMap<>(tally.outcomes).entrySet()) {
      String[] parts = entry.getKey().split(" ");
      System.out.printf(Locale.ROOT, "| %s | %s | %d |%n", parts[0], parts[1],
          entry.getValue().sum());
      calls += entry.getValue().sum();
    }
    System.out.printf(Locale.ROOT, "%n%d calls, %.0f a second; successful calls p50 %.1f ms, "
        + "p99 %.1f ms, p99.9 %.1f ms%n%n", calls, calls / (minutes * 60.0),
        tally.percentileMillis(0.5), tally.percentileMillis(0.99),
        tally.percentileMillis(0.999));
    System.out.println("| t (s) | RSS (MiB) | heap used (MiB) | heap committed (MiB) "
        + "| RSS - heap committed (MiB) | JVM non-heap used (MiB) | direct buffers (MiB) |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
    for (Sample sample : samples) {
      System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f |%n",
          sample.seconds(), mib(sample.rssBytes()), mib(sample.heapBytes()),
          mib(sample.heapCommittedBytes()), mib(sample.offHeapBytes()),
          mib(sample.nonHeapBytes()), mib(sample.directBytes()));
    }
    int third = Math.max(1, samples.size() / 3);
    double firstOffHeap = samples.subList(0, third).stream().mapToDouble(Sample::offHeapBytes)
        .max().orElse(0);
    double lastOffHeap = samples.subList(samples.size() - third, samples.size()).stream()
        .mapToDouble(Sample::offHeapBytes).max().orElse(0);
    double maxDirect = samples.stream().mapToDouble(Sample::directBytes).max().orElse(0);
    double maxRss = samples.stream().mapToLong(Sample::rssBytes).max().orElse(0);
    long unexpected = tally.unexpected();
    boolean growing = lastOffHeap > firstOffHeap * 1.25 + 64 * 1024 * 1024;
    System.out.printf(Locale.ROOT, "%nRSS peak %.0f MiB. Outside the heap: peak %.0f MiB in the "
        + "first third, %.0f MiB in the last%s. Direct buffers peak %.1f MiB. Unexpected "
        + "outcomes: %d.%n", mib(maxRss), mib(firstOffHeap), mib(lastOffHeap),
        growing ? " (GROWING)" : " (flat)", mib(maxDirect), unexpected);
    return unexpected == 0 && !growing;
  }
}
