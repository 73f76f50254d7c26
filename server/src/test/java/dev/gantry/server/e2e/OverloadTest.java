package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.server.scheduler.ModelScheduler;
import io.grpc.Status;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model driven at four times what it can do, over real gRPC: requests beyond its bounded queue
 * are refused at once with RESOURCE_EXHAUSTED, every accepted one finishes within its deadline,
 * heap and direct memory stay flat, and once the load stops the model answers as fast as before.
 *
 * <p>The model is {@link FaultyBackend} with a fixed execution time that uses no CPU, so that its
 * capacity (50 requests a second) is the same however busy the machine is: a CPU-bound model's
 * capacity on a small shared machine moves with its neighbours' load, and a fixed "4x" would not
 * be. The load comes in bursts of four times what the model holds (one executing, a full queue)
 * as often as it empties, so that a client slowed by a busy machine still overloads it. "At once"
 * and the queue wait are measured by the server, in its statistics, since the client's clock also
 * counts the time its calls wait for a CPU.
 */
class OverloadTest {
  private static final long EXECUTION_MILLIS = 20;
  private static final int QUEUE = 8;
  private static final int OVERLOAD = 4;
  private static final long DEADLINE_MILLIS = 5000;
  private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long MIB = 1024 * 1024;

  private static ModelInferRequest request(int i) {
    return ModelInferRequest.newBuilder()
        .setModelName("slow").setId("r" + i)
        .addInputs(Tensors.input("x", "FP32", 1, 4))
        .addRawInputContents(Tensors.floats(1, 2, 3, 4))
        .build();
  }

  private static ModelStatistics statistics(RunningServer gantry) {
    return gantry.blocking.modelStatistics(
        ModelStatisticsRequest.newBuilder().setName("slow").build()).getModelStats(0);
  }

  /** The median latency of sequential requests, in nanoseconds. */
  private static long medianLatency(RunningServer gantry, int count) {
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      gantry.blocking.modelInfer(request(i));
      latencies.add(System.nanoTime() - start);
    }
    Collections.sort(latencies);
    return latencies.get(count / 2);
  }

  /** Heap and direct-buffer memory in use, sampled while the load runs. */
  private static final class MemorySampler extends Thread {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final BufferPoolMXBean direct = ManagementFactory
        .getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
    final AtomicLong maxDirect = new AtomicLong();
    private volatile boolean running = true;

    MemorySampler() {
      super("overload-test-memory-sampler");
      setDaemon(true);
    }

    long heap() {
      return memory.getHeapMemoryUsage().getUsed();
    }

    long direct() {
      return direct.getMemoryUsed();
    }

    /** Heap in use once garbage is collected: the least of a few collections. */
    long settledHeap() throws InterruptedException {
      long heap = Long.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(100);
        heap = Math.min(heap, heap());
      }
      return heap;
    }

    @Override
    public void run() {
      while (running) {
        maxDirect.accumulateAndGet(direct(), Math::max);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }

    void finish() throws InterruptedException {
      running = false;
      join();
    }
  }

  @Test
  void excessIsRefusedAtOnceAcceptedWorkMeetsItsDeadlineAndTheServerRecovers(@TempDir Path root)
      throws Exception {
    Files.createDirectories(root.resolve("slow").resolve("1"));
    new TestRepository(root).config("slow", """
        platform: "%s"
        input [ { name: "x" data_type: TYPE_FP32 dims: [ -1, 4 ] } ]
        output [ { name: "y" data_type: TYPE_FP32 dims: [ -1, 4 ] } ]
        dynamic_batching { default_queue_policy { max_queue_size: %d } }
        instance_group [ { count: 1 kind: KIND_CPU } ]
        parameters { key: "delay_ms" value: { string_value: "%d" } }
        """.formatted(FaultyBackend.PLATFORM, QUEUE, EXECUTION_MILLIS));
    try (RunningServer gantry = RunningServer.on(new TestRepository(root))) {
      medianLatency(gantry, 10);
      long latency = medianLatency(gantry, 20);
      int burst = OVERLOAD * (QUEUE + 1);
      long interval = TimeUnit.MILLISECONDS.toNanos(EXECUTION_MILLIS * (QUEUE + 1));
      MemorySampler sampler = new MemorySampler();
      long heapBefore = sampler.settledHeap();
      long directBefore = sampler.direct();
      ModelStatistics before = statistics(gantry);
      sampler.start();

      Map<Status.Code, AtomicInteger> outcomes = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<Long> acceptedNanos = new ConcurrentLinkedQueue<>();
      AtomicInteger pending = new AtomicInteger();
      long end = System.nanoTime() + LOAD_NANOS;
      int count = 0;
      for (long next = System.nanoTime(); next < end; next += interval) {
        LockSupport.parkNanos(next - System.nanoTime());
        for (int i = 0; i < burst; i++) {
          long start = System.nanoTime();
          pending.incrementAndGet();
          AsyncCalls.infer(gantry.async.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS),
              request(count++)).whenComplete((response, error) -> {
                if (error == null) {
                  acceptedNanos.add(System.nanoTime() - start);
                }
                Status.Code code =
                    error == null ? Status.Code.OK : Status.fromThrowable(error).getCode();
                outcomes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                pending.decrementAndGet();
              });
        }
      }
      long drained = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS * 2);
      while (pending.get() > 0 && System.nanoTime() < drained) {
        Thread.sleep(10);
      }
      sampler.finish();
      assertEquals(0, pending.get(), "every call ended");

      int ok = outcomes.getOrDefault(Status.Code.OK, new AtomicInteger()).get();
      int rejected = outcomes.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, new AtomicInteger())
          .get();
      String summary = "sent " + count + " in bursts of " + burst + " every "
          + TimeUnit.NANOSECONDS.toMillis(interval) + " ms to a model taking " + EXECUTION_MILLIS
          + " ms: " + outcomes;
      assertEquals(count, ok + rejected, "only successes and refusals: " + summary);
      assertTrue(rejected > count / 2, "most of a 4x overload is refused: " + summary);
      assertTrue(ok > 0, summary);
      long slowest = Collections.max(acceptedNanos);
      assertTrue(slowest < TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS),
          "slowest accepted " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms; " + summary);

      ModelStatistics after = statistics(gantry);
      long refusals = after.getInferenceStats().getFail().getCount()
          - before.getInferenceStats().getFail().getCount();
      long refusalNanos = after.getInferenceStats().getFail().getNs()
          - before.getInferenceStats().getFail().getNs();
      assertEquals(rejected, refusals);
      assertTrue(refusalNanos / refusals < TimeUnit.MILLISECONDS.toNanos(2),
          "refused at once: " + refusalNanos / refusals / 1000 + " us on average; " + summary);
      long queued = after.getInferenceStats().getQueue().getCount()
          - before.getInferenceStats().getQueue().getCount();
      long queueNanos = after.getInferenceStats().getQueue().getNs()
          - before.getInferenceStats().getQueue().getNs();
      long executionNanos = (after.getInferenceStats().getComputeInfer().getNs()
          - before.getInferenceStats().getComputeInfer().getNs()) / ok;
      assertEquals(ok, queued);
      assertTrue(executionNanos >= TimeUnit.MILLISECONDS.toNanos(EXECUTION_MILLIS));
      assertTrue(queueNanos / queued < 2 * QUEUE * executionNanos,
          "accepted requests waited " + queueNanos / queued / 1000 + " us on average in a queue "
              + "of " + QUEUE + " ahead of executions of " + executionNanos / 1000 + " us; "
              + summary);

      long heapAfter = sampler.settledHeap();
      assertTrue(heapAfter < heapBefore + 32 * MIB,
          "heap " + heapBefore / MIB + " MiB before, " + heapAfter / MIB + " MiB after");
      assertTrue(sampler.maxDirect.get() < directBefore + 64 * MIB,
          "direct memory peaked at " + sampler.maxDirect.get() / MIB + " MiB from "
              + directBefore / MIB + " MiB");

      ModelScheduler scheduler = gantry.server.repository().resolve("slow", "").scheduler();
      assertEquals(0, scheduler.queued());
      assertEquals(0, scheduler.executing());
      long recovered = medianLatency(gantry, 20);
      assertTrue(recovered < 3 * latency + TimeUnit.MILLISECONDS.toNanos(20),
          "median latency " + TimeUnit.NANOSECONDS.toMicros(recovered) + " us after the load, "
              + TimeUnit.NANOSECONDS.toMicros(latency) + " us before");
    }
  }
}
