package dev.gantry.bench.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads a running server's memory: the resident set of its process from {@code /proc/<pid>/status}
 * (Linux) and its heap, non-heap and direct-buffer gauges from its Prometheus endpoint.
 */
final class ServerMemory {
  private final long pid;
  private final URI metrics;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final long start = System.nanoTime();

  /**
   * One sample. The resident set less the committed heap is roughly what the process holds outside
   * the Java heap (native runtimes, malloc arenas, thread stacks, transport buffers, code).
   */
  record Sample(long seconds, long rssBytes, double heapBytes, double heapCommittedBytes,
      double nonHeapBytes, double directBytes) {
    double offHeapBytes() {
      return rssBytes - heapCommittedBytes;
    }
  }

  ServerMemory(long pid, URI metrics) {
    this.pid = pid;
    this.metrics = metrics;
  }

  /** The process's resident set in bytes (VmRSS). */
  long rss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("/proc/" + pid + "/status has no VmRSS line");
  }

  Sample sample() throws IOException, InterruptedException {
    long rss = rss();
    String body = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return new Sample(Duration.ofNanos(System.nanoTime() - start).toSeconds(), rss,
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

  static double mib(double bytes) {
    return bytes / (1024 * 1024);
  }
}
