package dev.gantry.bench.soak;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferenceClient;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The soak's overload: many more calls in flight than the server's queues hold, one in eight (at
 * most 32 at a time) carrying a 4 MiB BYTES element through {@code mixed}, the others small
 * {@code simple} batches. What the server does not queue it refuses with RESOURCE_EXHAUSTED; the point is what
 * memory the flood leaves behind once it is over.
 */
final class Flood {
  static final int LARGE_ELEMENT_BYTES = 4 * 1024 * 1024;
  static final int LARGE_ONE_IN = 8;
  /** Bounds the client's own memory: each large call holds its 4 MiB until it is answered. */
  static final int MAX_LARGE_IN_FLIGHT = 32;
  private static final Set<Status.Code> EXPECTED =
      Set.of(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED);

  private Flood() {}

  /** Keeps {@code concurrency} calls in flight for {@code duration}; returns their outcomes. */
  static Outcomes run(InferenceClient client, int concurrency, Duration duration)
      throws InterruptedException {
    Outcomes outcomes = new Outcomes();
    outcomes.expect("FLOOD_LARGE_BYTES", EXPECTED);
    outcomes.expect("FLOOD_SIMPLE", EXPECTED);
    InferRequest large = InferRequest.builder("mixed")
        .input(InferInput.fp32("features", MixedLoad.random(4), 1, 4))
        .input(InferInput.int64("offset", new long[] {7}, 1, 1))
        .input(InferInput.strings("label", List.of("x".repeat(LARGE_ELEMENT_BYTES)), 1, 1))
        .build();
    InferRequest small = InferRequest.builder("simple")
        .input(InferInput.fp32("INPUT0", MixedLoad.random(8 * 16), 8, 16))
        .input(InferInput.fp32("INPUT1", MixedLoad.random(8 * 16), 8, 16))
        .build();
    Semaphore inFlight = new Semaphore(concurrency);
    Semaphore largeInFlight = new Semaphore(MAX_LARGE_IN_FLIGHT);
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      boolean isLarge = ThreadLocalRandom.current().nextInt(LARGE_ONE_IN) == 0
          && largeInFlight.tryAcquire();
      String operation = isLarge ? "FLOOD_LARGE_BYTES" : "FLOOD_SIMPLE";
      long begin = System.nanoTime();
      client.inferAsync(isLarge ? large : small).whenComplete((result, failure) -> {
        if (failure == null) {
          outcomes.latency(System.nanoTime() - begin);
          outcomes.count(operation, Status.Code.OK);
        } else {
          outcomes.count(operation, MixedLoad.codeOf(
              failure instanceof Exception e ? e : new RuntimeException(failure)));
        }
        if (isLarge) {
          largeInFlight.release();
        }
        inFlight.release();
      });
    }
    if (!inFlight.tryAcquire(concurrency, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("flood calls still in flight 60 s after the flood ended");
    }
    return outcomes;
  }
}
