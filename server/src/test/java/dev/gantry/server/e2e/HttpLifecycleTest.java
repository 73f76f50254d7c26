package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.http.HttpOptions;
import dev.gantry.server.metrics.FailureReason;
import dev.gantry.server.transport.ConnectionLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/REST port when calls are long or clients misbehave: a full queue answers 429, a client
 * that goes away frees its queued request, connections are capped and slow or idle ones closed,
 * and shutdown answers what it has read before it closes.
 */
class HttpLifecycleTest {
  private static final String BUSY_BODY = busyBody();

  private static String busyBody() {
    StringBuilder zeros = new StringBuilder();
    for (int i = 0; i < BusyModel.SIZE * BusyModel.SIZE; i++) {
      zeros.append(i == 0 ? "0" : ",0");
    }
    return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + BusyModel.SIZE + ","
        + BusyModel.SIZE + "],\"data\":[" + zeros + "]}]}";
  }

  private static RunningServer serve(Path root) throws IOException {
    new TestRepository(root).onnx("busy", 1, BusyModel.onnx(300))
        .config("busy", "dynamic_batching { default_queue_policy { max_queue_size: 1 } }\n");
    return new RunningServer(ServerOptions.forRepositories(root)
        .withHttp(new HttpOptions(0, HttpOptions.DEFAULT_BODY_TIMEOUT)));
  }

  private static CompletableFuture<HttpResponse<String>> infer(HttpClient http, RunningServer gantry) {
    return http.sendAsync(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gantry.server.httpPort() + "/v2/models/busy/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(BUSY_BODY)).build(),
        HttpResponse.BodyHandlers.ofString());
  }


  @Test
  void aFullQueueAnswers429AndAClientThatClosesItsConnectionFreesItsQueuedRequest(@TempDir Path root) throws Exception {
    try (RunningServer gantry = serve(root)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      var metrics = gantry.server.repository().resolve("busy", "").metrics();
      CompletableFuture<HttpResponse<String>> running = infer(http, gantry);
      BusyModel.awaitQueued(gantry, 1, 0);
      try (Socket socket = new Socket("127.0.0.1", gantry.server.httpPort())) {
        byte[] body = BUSY_BODY.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v2/models/busy/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        BusyModel.awaitQueued(gantry, 1, 1);
        HttpResponse<String> full = infer(http, gantry).get(60, TimeUnit.SECONDS);
        assertEquals(429, full.statusCode());
        assertEquals("{\"error\":\"queue of model 'busy' version 1 is full at priority level 1: "
            + "max_queue_size is 1\"}", full.body());
      }
      BusyModel.awaitQueued(gantry, 1, 0);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (metrics.failures(FailureReason.CANCELLED) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(1, metrics.failures(FailureReason.CANCELLED));
      assertEquals(200, running.get(60, TimeUnit.SECONDS).statusCode());
      assertEquals(1, gantry.blocking.modelStatistics(
          ModelStatisticsRequest.newBuilder().setName("busy").build())
          .getModelStats(0).getExecutionCount(), "the abandoned request never ran");
    }
  }

  @Test
  void connectionsAreCappedAndSlowOrIdleOnesClosed(@TempDir Path root) throws Exception {
    ConnectionLimits limits = new ConnectionLimits(2, Duration.ofSeconds(2), Duration.ofSeconds(4),
        ConnectionLimits.DEFAULT_PERMIT_KEEPALIVE_TIME, false,
        ConnectionLimits.DEFAULT_MAX_CONCURRENT_STREAMS);
    try (RunningServer gantry = new RunningServer(ServerOptions.forRepositories(root)
        .withConnectionLimits(limits)
        .withHttp(new HttpOptions(0, HttpOptions.DEFAULT_BODY_TIMEOUT)))) {
      int port = gantry.server.httpPort();
      try (Socket first = connect(port); Socket second = connect(port)) {
        assertTrue(live(first).startsWith("HTTP/1.1 200"), "two connections are served");
        assertTrue(live(second).startsWith("HTTP/1.1 200"), "two connections are served");
        try (Socket third = connect(port)) {
          assertEquals("", read(third), "the third connection is closed at once");
        }
      }
      Thread.sleep(200);
      try (Socket silent = connect(port)) {
        assertTrue(read(silent).startsWith("HTTP/1.1 408"), "a connection that sends nothing");
      }
      try (Socket partial = connect(port)) {
        partial.getOutputStream().write(
            "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        String answer = read(partial);
        assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
        assertTrue(answer.contains("the request did not arrive within 2 s "
            + "(--grpc-first-request-timeout-secs)"), answer);
      }
      try (Socket idle = connect(port)) {
        idle.getOutputStream().write(
            "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String answer = read(idle);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.contains("keep-alive"), "kept alive until it idles: " + answer);
      }
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    return socket;
  }

  /** Asks for liveness on a kept-alive connection and returns the response's head. */
  private static String live(Socket socket) throws IOException {
    socket.getOutputStream().write(
        "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    while (head.indexOf("\r\n\r\n") < 0) {
      int next = socket.getInputStream().read();
      if (next < 0) {
        break;
      }
      head.append((char) next);
    }
    return head.toString();
  }

  /** Everything the server sends until it closes the connection. */
  private static String read(Socket socket) throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void shutdownAnswersTheRequestsItHasReadThenStopsAccepting(@TempDir Path root) throws Exception {
    RunningServer gantry = serve(root);
    int port = gantry.server.httpPort();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> running = infer(http, gantry);
    BusyModel.awaitQueued(gantry, 1, 0);
    CompletableFuture<HttpResponse<String>> queued = infer(http, gantry);
    BusyModel.awaitQueued(gantry, 1, 1);
    gantry.close();
    assertEquals(200, running.get(60, TimeUnit.SECONDS).statusCode());
    assertEquals(200, queued.get(60, TimeUnit.SECONDS).statusCode());
    assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close(),
        "the port is closed after shutdown");
  }
}
