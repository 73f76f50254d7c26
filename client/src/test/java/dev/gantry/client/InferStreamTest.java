package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class InferStreamTest {
  private FakeServer server;
  private InferenceClient client;

  @BeforeEach
  void start() {
    server = FakeServer.plaintext();
    client = InferenceClient.builder().target(server.target()).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void manyRequestsAreAnsweredInKind() throws Exception {
    List<CompletableFuture<InferResult>> responses = new ArrayList<>();
    try (InferStream stream = client.openStream()) {
      for (int i = 0; i < 5_000; i++) {
        responses.add(stream.send(request(i).build()));
      }
    }
    for (int i = 0; i < responses.size(); i++) {
      assertTrue(responses.get(i).isDone(), "close() waits for every response");
      assertArrayEquals(new long[] {i}, responses.get(i).get().output("OUTPUT0").asLongs());
    }
  }

  @Test
  void errorMessagesFailOnlyTheirRequest() throws Exception {
    List<CompletableFuture<InferResult>> responses = new ArrayList<>();
    try (InferStream stream = client.openStream()) {
      for (int i = 0; i < 10; i++) {
        InferRequest.Builder request = request(i).id("req-" + i);
        if (i == 3 || i == 7) {
          request.parameter("fail", "model failed on " + i);
        }
        responses.add(stream.send(request.build()));
      }
      responses.get(9).get(10, TimeUnit.SECONDS);
      responses.add(stream.send(request(10).build()));
    }
    for (int i = 0; i < responses.size(); i++) {
      CompletableFuture<InferResult> response = responses.get(i);
      if (i == 3 || i == 7) {
        ExecutionException error = assertThrows(ExecutionException.class, response::get);
        InferenceClientException cause =
            assertInstanceOf(InferenceClientException.class, error.getCause());
        assertEquals(Status.Code.UNKNOWN, cause.code());
        assertEquals("model failed on " + i, cause.serverMessage());
      } else {
        assertArrayEquals(new long[] {i}, response.get().output("OUTPUT0").asLongs());
      }
    }
  }

  @Test
  void aResponseWithoutIdGoesToTheOldestRequest() throws Exception {
    try (InferStream stream = client.openStream()) {
      CompletableFuture<InferResult> failed =
          stream.send(request(0).parameter("fail", "no id").parameter("omit_id", true).build());
      ExecutionException error =
          assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
      assertEquals("no id", ((InferenceClientException) error.getCause()).serverMessage());
      assertArrayEquals(
          new long[] {1}, stream.send(request(1).build()).get().output("OUTPUT0").asLongs());
    }
  }

  @Test
  void anUnexpectedResponseIsIgnored() throws Exception {
    try (InferStream stream = client.openStream()) {
      CompletableFuture<InferResult> first =
          stream.send(request(0).id("twice").parameter("answer_twice", true).build());
      CompletableFuture<InferResult> second = stream.send(request(1).build());
      assertArrayEquals(new long[] {0}, first.get().output("OUTPUT0").asLongs());
      assertArrayEquals(new long[] {1}, second.get().output("OUTPUT0").asLongs());
    }
  }

  @Test
  void aSlowServerHoldsTheSenderBack() throws Exception {
    server.service.holdStreams();
    int messages = 200;
    AtomicInteger sent = new AtomicInteger();
    List<CompletableFuture<InferResult>> responses = new ArrayList<>();
    try (InferStream stream = client.openStream()) {
      Thread sender =
          new Thread(
              () -> {
                for (int i = 0; i < messages; i++) {
                  responses.add(stream.send(request(i).input(padding()).build()));
                  sent.incrementAndGet();
                }
              });
      sender.start();
      int settled = awaitHeldBack(sender, sent);
      assertTrue(settled > 0 && settled < 64, "held back after " + settled + " messages of 64 KiB");
      assertFalse(stream.isReady());
      assertEquals(0, server.service.streamMessagesReceived.get());

      server.service.releaseStreams();
      sender.join(30_000);
      assertEquals(messages, sent.get());
    }
    for (int i = 0; i < messages; i++) {
      assertArrayEquals(new long[] {i}, responses.get(i).get().output("OUTPUT0").asLongs());
    }
  }

  @Test
  void cancelFailsWaitingRequests() {
    server.service.holdStreams();
    InferStream stream = client.openStream();
    CompletableFuture<InferResult> response = stream.send(request(0).build());
    stream.cancel();
    ExecutionException error =
        assertThrows(ExecutionException.class, () -> response.get(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.CANCELLED, ((InferenceClientException) error.getCause()).code());
    InferenceClientException closing = assertThrows(InferenceClientException.class, stream::close);
    assertEquals(Status.Code.CANCELLED, closing.code());
  }

  @Test
  void streamDeadlineEndsTheStream() {
    server.service.holdStreams();
    InferStream stream = client.openStream(Duration.ofMillis(200));
    CompletableFuture<InferResult> response = stream.send(request(0).build());
    ExecutionException error =
        assertThrows(ExecutionException.class, () -> response.get(10, TimeUnit.SECONDS));
    assertEquals(
        Status.Code.DEADLINE_EXCEEDED, ((InferenceClientException) error.getCause()).code());
    InferenceClientException sending =
        assertThrows(InferenceClientException.class, () -> stream.send(request(1).build()));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, sending.code());
  }

  @Test
  void misuseIsRejected() {
    InferStream stream = client.openStream();
    stream.send(request(0).id("same").build());
    assertThrows(IllegalArgumentException.class, () -> stream.send(request(1).id("same").build()));
    stream.close();
    assertThrows(IllegalStateException.class, () -> stream.send(request(2).build()));
    assertFalse(stream.isReady());
  }

  /**
   * Waits until the sender has sent something and then stayed blocked, its count unchanged, for
   * half a second; returns the count.
   */
  private static int awaitHeldBack(Thread sender, AtomicInteger sent) throws InterruptedException {
    int last = -1;
    int stable = 0;
    while (stable < 5) {
      Thread.sleep(100);
      int now = sent.get();
      boolean blocked = now > 0 && now == last && sender.getState() == Thread.State.WAITING;
      stable = blocked ? stable + 1 : 0;
      last = now;
    }
    return last;
  }

  private static InferInput padding() {
    return InferInput.uint8("PADDING", new byte[64 * 1024], 64 * 1024);
  }

  private static InferRequest.Builder request(long value) {
    return InferRequest.builder("simple").input(InferInput.int64("INPUT0", new long[] {value}, 1));
  }
}
