package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code -i http} through the whole command: against Gantry's own REST port, and against a stub of
 * it (the JDK's HTTP server) that records the bodies on the wire and the requests in flight and
 * gives the answers a healthy server never gives (a 503, a truncated body) so that the error
 * breakdown is checked too.
 */
@ExtendWith(ExampleServer.class)
class HttpModeTest {
  /** The JSON of {@code simple}'s answer: two FP32 [1,16] outputs, 64 bytes each. */
  private static final String OUTPUTS = "{\"model_name\":\"simple\",\"outputs\":["
      + "{\"name\":\"OUTPUT0\",\"datatype\":\"FP32\",\"shape\":[1,16],"
      + "\"parameters\":{\"binary_data_size\":64}},"
      + "{\"name\":\"OUTPUT1\",\"datatype\":\"FP32\",\"shape\":[1,16],"
      + "\"parameters\":{\"binary_data_size\":64}}]}";

  @TempDir Path dir;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final AtomicReference<Seen> first = new AtomicReference<>();
  private HttpServer stub;

  /** What the stub saw of the first request. */
  private record Seen(
      String method, String path, String contentType, int jsonLength, byte[] body) {}

  @AfterEach
  void stopStub() {
    if (stub != null) {
      stub.stop(0);
    }
    threads.shutdownNow();
  }

  @Test
  void asyncInferencesGoToTheRestPortWithAtMostTheConcurrencyInFlight(
      ExampleServer.Running server) throws IOException {
    String httpUrl = startStub("good");
    Path json = dir.resolve("http.json");

    Bench.Result result = Bench.quick("-u", server.url(), "-m", "simple", "-i", "http",
        "--http-url", httpUrl, "--mode", "async", "--concurrency-range", "2",
        "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject report = Bench.json(json);
    assertEquals("http://" + httpUrl, report.getAsJsonObject("run").get("target").getAsString());
    JsonObject level = report.getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(level.get("successes").getAsLong() > 0, level.toString());
    assertEquals(0, level.getAsJsonObject("errors").size(), level.toString());
    assertEquals(2, mostInFlight.get(), "requests in flight at concurrency 2");

    Seen seen = first.get();
    assertEquals("POST", seen.method());
    assertEquals("/v2/models/simple/infer", seen.path());
    assertEquals("application/octet-stream", seen.contentType());
    assertEquals(seen.jsonLength() + 2 * 64, seen.body().length);
    JsonObject header = JsonParser.parseString(
        new String(seen.body(), 0, seen.jsonLength(), StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals("INPUT0", header.getAsJsonArray("inputs").get(0).getAsJsonObject()
        .get("name").getAsString());
    assertEquals("[1,16]", header.getAsJsonArray("inputs").get(1).getAsJsonObject()
        .get("shape").toString());
  }

  @Test
  void inferencesOverGantrysRestPortSucceed(ExampleServer.Running server) throws IOException {
    Path json = dir.resolve("gantry.json");

    Bench.Result result = Bench.quick("-u", server.url(), "-m", "simple", "-i", "http",
        "--http-url", server.httpUrl(), "--mode", "async", "--concurrency-range", "2",
        "--json", json.toString());

    assertEquals(0, result.exit(), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(level.get("successes").getAsLong() > 0, level.toString());
    assertEquals(0, level.getAsJsonObject("errors").size(), level.toString());
  }

  @ParameterizedTest
  @CsvSource({"unavailable,HTTP_503", "truncated,HTTP_MALFORMED_RESPONSE"})
  void failedAnswersCountInTheErrorBreakdown(String answer, String code,
      ExampleServer.Running server) throws IOException {
    String httpUrl = startStub(answer);
    Path json = dir.resolve("errors.json");

    Bench.Result result = Bench.quick("-u", server.url(), "-m", "simple", "-i", "http",
        "--http-url", httpUrl, "--json", json.toString());

    assertEquals(BenchMain.EXIT_ERRORS, result.exit(), result.err());
    JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
    assertTrue(level.getAsJsonObject("errors").get(code).getAsLong() > 0, level.toString());
    assertEquals(1, level.getAsJsonObject("errors").size(), level.toString());
    assertTrue(result.out().contains("errors at concurrency 1: {" + code + "="), result.out());
  }

  /** Starts the stub, answering every request {@code answer}: good, unavailable or truncated. */
  private String startStub(String answer) throws IOException {
    stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.setExecutor(threads);
    stub.createContext("/", exchange -> answer(exchange, answer));
    stub.start();
    return "127.0.0.1:" + stub.getAddress().getPort();
  }

  private void answer(HttpExchange exchange, String answer) throws IOException {
    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String length = exchange.getRequestHeaders().getFirst(HttpIssuer.HEADER_LENGTH);
      first.compareAndSet(null, new Seen(exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Content-Type"),
          length == null ? -1 : Integer.parseInt(length), body));
      Thread.sleep(2);
      byte[] json = OUTPUTS.getBytes(StandardCharsets.UTF_8);
      switch (answer) {
        case "good" -> reply(exchange, 200, json, 128);
        case "truncated" -> reply(exchange, 200, json, 100);
        default -> reply(exchange, 503,
            "{\"error\":\"model 'simple' is unavailable\"}".getBytes(StandardCharsets.UTF_8), -1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      inFlight.decrementAndGet();
      exchange.close();
    }
  }

  /** Sends {@code json}, then {@code binary} zero bytes after it when not negative. */
  private static void reply(HttpExchange exchange, int status, byte[] json, int binary)
      throws IOException {
    byte[] body = Arrays.copyOf(json, json.length + Math.max(binary, 0));
    if (binary >= 0) {
      exchange.getResponseHeaders().set(HttpIssuer.HEADER_LENGTH, String.valueOf(json.length));
    }
    exchange.getResponseHeaders().set("Content-Type",
        binary >= 0 ? "application/octet-stream" : "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
