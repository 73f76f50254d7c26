package dev.gantry.bench.soak;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferStream;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The soak's steady load on a server serving {@code examples/models}: what clients do, mixed
 * (unary, asynchronous and streamed inference on every example model, metadata and statistics
 * calls, malformed requests, cancellations), from several threads in closed loops.
 */
final class MixedLoad {
  /** One kind of call, how often it is picked, and its normal outcomes besides a full queue. */
  enum Operation {
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
      Set<Status.Code> codes = new java.util.HashSet<>(Set.of(expected));
      codes.add(Status.Code.RESOURCE_EXHAUSTED);
      this.expected = Set.copyOf(codes);
    }
  }

  private MixedLoad() {}

  /** Drives the server from {@code threads} threads for {@code duration}; returns the outcomes. */
  static Outcomes run(InferenceClient client, int threads, Duration duration)
      throws InterruptedException {
    Outcomes outcomes = new Outcomes();
    for (Operation operation : Operation.values()) {
      outcomes.expect(operation.name(), operation.expected);
    }
    long end = System.nanoTime() + duration.toNanos();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread worker = new Thread(() -> drive(client, outcomes, end), "soak-load-" + i);
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) {
      worker.join();
    }
    return outcomes;
  }

  private static void drive(InferenceClient client, Outcomes outcomes, long end) {
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
        call(client, operation);
        code = Status.Code.OK;
        outcomes.latency(System.nanoTime() - begin);
      } catch (Exception e) {
        code = codeOf(e);
      }
      outcomes.count(operation.name(), code);
    }
  }

  /** The gRPC status a failed call ended with, UNKNOWN (and a line on stderr) if none. */
  static Status.Code codeOf(Exception e) {
    if (e instanceof InferenceClientException known) {
      return known.code();
    }
    if (e instanceof CancellationException) {
      return Status.Code.CANCELLED;
    }
    if (e.getCause() instanceof InferenceClientException known) {
      return known.code();
    }
    System.err.println("soak: " + e);
    return Status.Code.UNKNOWN;
  }

  static float[] random(int count) {
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

  private static void call(InferenceClient client, Operation operation) throws Exception {
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
}
