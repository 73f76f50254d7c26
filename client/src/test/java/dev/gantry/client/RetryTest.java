package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RetryTest {
  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(5)
          .initialBackoff(Duration.ofMillis(5))
          .maxBackoff(Duration.ofMillis(20))
          .build();

  private FakeServer server;

  @BeforeEach
  void start() {
    server = FakeServer.plaintext();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void retriesUnavailableUntilTheServerAnswers() {
    server.service.failNext(2, Status.UNAVAILABLE);
    try (InferenceClient client = client(FAST, false)) {
      assertTrue(client.isServerReady());
    }
    assertEquals(3, server.service.attempts("ServerReady"));
  }

  @Test
  void retriesResourceExhaustedToo() {
    server.service.failNext(1, Status.RESOURCE_EXHAUSTED);
    try (InferenceClient client = client(FAST, false)) {
      assertEquals("simple", client.modelConfig("simple").getName());
    }
    assertEquals(2, server.service.attempts("ModelConfig"));
  }

  @Test
  void givesUpAfterMaxAttempts() {
    server.service.failNext(10, Status.UNAVAILABLE);
    try (InferenceClient client = client(FAST, false)) {
      InferenceClientException error =
          assertThrows(InferenceClientException.class, client::serverMetadata);
      assertEquals(Status.Code.UNAVAILABLE, error.code());
      assertEquals("injected failure", error.serverMessage());
    }
    assertEquals(5, server.service.attempts("ServerMetadata"));
  }

  @Test
  void anExhaustedBudgetStopsRetries() {
    RetryPolicy stingy =
        RetryPolicy.builder()
            .maxAttempts(5)
            .initialBackoff(Duration.ofMillis(5))
            .budget(2, 0.5)
            .build();
    server.service.failNext(3, Status.UNAVAILABLE);
    try (InferenceClient client = client(stingy, false)) {
      InferenceClientException error =
          assertThrows(InferenceClientException.class, () -> client.modelStatistics());
      assertEquals(Status.Code.UNAVAILABLE, error.code());
      assertEquals(
          3, server.service.attempts("ModelStatistics"), "two retries, then the budget is gone");

      server.service.failNext(1, Status.UNAVAILABLE);
      assertThrows(InferenceClientException.class, client::isServerLive);
      assertEquals(1, server.service.attempts("ServerLive"), "no token left for a retry");

      client.isServerLive();
      client.isServerLive();
      server.service.failNext(1, Status.UNAVAILABLE);
      assertTrue(client.isServerLive(), "two successes earned one retry back");
      assertEquals(5, server.service.attempts("ServerLive"));
    }
  }

  @Test
  void otherCodesAreNotRetried() {
    server.service.failNext(1, Status.INVALID_ARGUMENT);
    try (InferenceClient client = client(FAST, false)) {
      InferenceClientException error =
          assertThrows(InferenceClientException.class, client::isServerLive);
      assertEquals(Status.Code.INVALID_ARGUMENT, error.code());
    }
    assertEquals(1, server.service.attempts("ServerLive"));
  }

  @Test
  void inferenceIsNotRetriedByDefault() {
    server.service.failNext(1, Status.UNAVAILABLE);
    try (InferenceClient client = client(FAST, false)) {
      InferenceClientException error =
          assertThrows(InferenceClientException.class, () -> client.infer(request()));
      assertEquals(Status.Code.UNAVAILABLE, error.code());
    }
    assertEquals(1, server.service.attempts("ModelInfer"));
  }

  @Test
  void repositoryChangesAreNotRetried() {
    server.service.failNext(1, Status.UNAVAILABLE);
    try (InferenceClient client = client(FAST, false)) {
      assertThrows(InferenceClientException.class, () -> client.loadModel("simple"));
    }
    assertEquals(1, server.service.attempts("RepositoryModelLoad"));
  }

  @Test
  void inferenceIsRetriedWhenOptedIn() throws Exception {
    server.service.failNext(2, Status.UNAVAILABLE);
    try (InferenceClient client = client(FAST, true)) {
      assertEquals(1, client.inferAsync(request()).get().output("OUTPUT0").asInts()[0]);
    }
    assertEquals(3, server.service.attempts("ModelInfer"));
  }

  @Test
  void retriesStopAtTheDeadline() {
    RetryPolicy slow =
        RetryPolicy.builder()
            .maxAttempts(10)
            .initialBackoff(Duration.ofSeconds(2))
            .maxBackoff(Duration.ofSeconds(2))
            .jitter(0)
            .build();
    server.service.failNext(10, Status.UNAVAILABLE);
    try (InferenceClient client =
        InferenceClient.builder()
            .target(server.target())
            .retryPolicy(slow)
            .defaultDeadline(Duration.ofMillis(500))
            .build()) {
      long start = System.nanoTime();
      InferenceClientException error =
          assertThrows(InferenceClientException.class, client::isServerReady);
      assertEquals(Status.Code.UNAVAILABLE, error.code());
      assertTrue(
          System.nanoTime() - start < Duration.ofSeconds(1).toNanos(),
          "did not wait past the deadline");
    }
    assertEquals(1, server.service.attempts("ServerReady"));
  }

  @Test
  void noneNeverRetries() {
    server.service.failNext(1, Status.UNAVAILABLE);
    try (InferenceClient client = client(RetryPolicy.none(), true)) {
      assertThrows(InferenceClientException.class, client::isServerReady);
    }
    assertEquals(1, server.service.attempts("ServerReady"));
  }

  @Test
  void policyRejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().jitter(1.5));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().multiplier(0.5));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().budget(-1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RetryPolicy.builder()
                .initialBackoff(Duration.ofSeconds(10))
                .maxBackoff(Duration.ofSeconds(1))
                .build());
  }

  @Test
  void backoffGrowsExponentiallyWithinJitter() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialBackoff(Duration.ofMillis(100))
            .maxBackoff(Duration.ofMillis(1000))
            .multiplier(2)
            .jitter(0.2)
            .build();
    for (int i = 0; i < 100; i++) {
      assertBetween(80, 100, policy.backoffNanos(1));
      assertBetween(160, 200, policy.backoffNanos(2));
      assertBetween(320, 400, policy.backoffNanos(3));
      assertBetween(800, 1000, policy.backoffNanos(6));
    }
  }

  private static void assertBetween(long lowMillis, long highMillis, long nanos) {
    long millis = Duration.ofNanos(nanos).toMillis();
    assertTrue(
        millis >= lowMillis && millis <= highMillis,
        millis + " ms not in [" + lowMillis + ", " + highMillis + "]");
  }

  private InferenceClient client(RetryPolicy policy, boolean retryInference) {
    return InferenceClient.builder()
        .target(server.target())
        .retryPolicy(policy)
        .retryInference(retryInference)
        .build();
  }

  private static InferRequest request() {
    return InferRequest.builder("simple")
        .input(InferInput.int32("INPUT0", new int[] {1}, 1))
        .build();
  }
}
