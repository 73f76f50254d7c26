package dev.gantry.examples;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import dev.gantry.server.GantryServer;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Runs Gantry inside this application and calls one of its models through the Java client over
 * the in-process channel: no socket between the application and its models.
 *
 * <p>Usage: {@code EmbeddedInference [repository]}, by default {@code examples/models}; it infers
 * {@code identity_fp32} (FP32 [1,4] copied through) and prints the output.
 */
public final class EmbeddedInference {
  private EmbeddedInference() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path repository = Path.of(args.length > 0 ? args[0] : "examples/models");
    System.out.println(Arrays.toString(infer(repository, new float[] {1, 2, 3, 4})));
  }

  /** Starts a server on the repository, sends one request in process, and stops the server. */
  static float[] infer(Path repository, float[] values) throws IOException, InterruptedException {
    try (GantryServer server = GantryServer.builder()
        .modelRepository(repository)
        .grpcPort(0)
        .start()) {
      ManagedChannel channel = server.inProcessChannel();
      try (InferenceClient client = InferenceClient.builder().channel(channel).build()) {
        InferResult result = client.infer(InferRequest.builder("identity_fp32")
            .input(InferInput.fp32("INPUT0", values, 1, values.length))
            .build());
        return result.output("OUTPUT0").asFloats();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
