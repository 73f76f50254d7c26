package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.server.GantryServer;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server started with {@link GantryServer#builder()} inside the test's JVM answers the Java
 * client through its in-process channel, with no socket, from a real ONNX Runtime session.
 */
class EmbeddedServerTest {
  @TempDir Path repository;

  @Test
  void theBuilderStartsAServerThatTheClientReachesInProcess() throws Exception {
    ExampleRepository.write(repository);
    GantryServer server = GantryServer.builder()
        .modelRepository(repository)
        .grpcPort(0)
        .exitTimeout(Duration.ofSeconds(5))
        .start();
    ManagedChannel channel = server.inProcessChannel();
    try (InferenceClient client = InferenceClient.builder().channel(channel).build()) {
      assertTrue(client.isServerReady());
      InferResult result = client.infer(InferRequest.builder("identity_fp32")
          .input(InferInput.fp32("INPUT0", new float[] {1, 2, 3, 4}, 1, 4))
          .build());
      assertArrayEquals(new float[] {1, 2, 3, 4}, result.output("OUTPUT0").asFloats());
      assertEquals(-1, server.metricsPort(), "the builder leaves the metrics endpoint off");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
    assertTrue(!server.isReady());
  }

  @Test
  void theBuilderRefusesWhatTheCommandLineRefusesWithTheSameMessage() {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> GantryServer.builder().modelRepository(repository.resolve("absent")).start());
    assertEquals("--model-repository " + repository.resolve("absent") + " is not a directory",
        missing.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> GantryServer.builder().start());
    assertEquals("--model-repository: name at least one directory", none.getMessage());
    IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
        () -> GantryServer.builder().modelRepository(repository)
            .executionTimeout(Duration.ofSeconds(-1)).start());
    assertEquals("--execution-timeout-secs must be 0 (no limit) or more", timeout.getMessage());
  }
}
