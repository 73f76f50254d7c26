package dev.gantry.examples;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends a batch of requests to a model at once, without waiting for each, and prints the results.
 *
 * <p>Shows the asynchronous style of the Gantry client against any Open Inference Protocol server.
 * The model takes INPUT0 and INPUT1, FP32 [1,16], and returns OUTPUT0 and OUTPUT1.
 *
 * <p>Usage: {@code ClassifyAsync [model] [host:port]}, by default {@code simple} on {@code
 * localhost:8001}.
 */
public final class ClassifyAsync {
  private static final int REQUESTS = 8;
  private static final int WIDTH = 16;

  private ClassifyAsync() {}

  public static void main(String[] args) {
    String model = args.length > 0 ? args[0] : "simple";
    String target = args.length > 1 ? args[1] : "localhost:8001";
    try (InferenceClient client =
        InferenceClient.builder().target(target).defaultDeadline(Duration.ofSeconds(10)).build()) {
      List<CompletableFuture<InferResult>> pending = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        pending.add(client.inferAsync(request(model, i)));
      }
      for (CompletableFuture<InferResult> future : pending) {
        InferResult result = future.join();
        System.out.printf(
            "%s: OUTPUT0=%s OUTPUT1=%s%n",
            result.id(),
            Arrays.toString(result.output("OUTPUT0").asFloats()),
            Arrays.toString(result.output("OUTPUT1").asFloats()));
      }
    } catch (CompletionException e) {
      System.err.println("inference failed: " + e.getCause().getMessage());
      System.exit(1);
    }
  }

  private static InferRequest request(String model, int index) {
    float[] ramp = new float[WIDTH];
    float[] ones = new float[WIDTH];
    for (int j = 0; j < WIDTH; j++) {
      ramp[j] = index * WIDTH + j;
      ones[j] = 1;
    }
    return InferRequest.builder(model)
        .id("request-" + index)
        .inputs(
            InferInput.fp32("INPUT0", ramp, 1, WIDTH), InferInput.fp32("INPUT1", ones, 1, WIDTH))
        .outputs("OUTPUT0", "OUTPUT1")
        .build();
  }
}
