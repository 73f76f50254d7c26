package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code -i} and {@code --http-url}: their defaults, and what {@code -i http} refuses. */
class HttpOptionsTest {
  @Test
  void grpcOnPort8000IsTheDefaultAndHttpIsChosenWithI() {
    BenchMain defaults = parse("-m", "simple");
    assertEquals(BenchMain.Protocol.GRPC, defaults.protocol);
    assertEquals("localhost:8000", defaults.httpUrl);

    BenchMain http = parse("-m", "simple", "-i", "http", "--http-url", "10.0.0.1:9000");
    assertEquals(BenchMain.Protocol.HTTP, http.protocol);
    assertEquals("10.0.0.1:9000", http.httpUrl);
    assertEquals(BenchMain.Protocol.HTTP, parse("-m", "simple", "--protocol", "HTTP").protocol);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--in-process --model-repository repo -m simple"
          + " | -i http needs a server; it does not go with --in-process",
      "-m simple --mode stream | -i http runs in --mode sync or async, not stream",
      "-m simple --shared-memory system"
          + " | -i http sends tensors in the request body;"
          + " it does not go with --shared-memory system",
      "--rpc live | -i http sends inferences only; it does not go with --rpc live",
      "-m simple --http-url localhost | --http-url: expected HOST:PORT, got 'localhost'",
      "-m simple --http-url localhost:8000/v2"
          + " | --http-url: expected HOST:PORT, got 'localhost:8000/v2'"})
  void httpRefusesWhatItCannotDo(String options, String message) {
    List<String> args = new ArrayList<>(List.of("-i", "http"));
    args.addAll(List.of(options.split(" ")));
    Bench.Result result = Bench.run(args);

    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains(message), result.err());
  }

  @Test
  void httpGoesWithSyncAndAsyncAndGetsAsFarAsConnecting() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    for (String mode : List.of("sync", "async")) {
      Bench.Result result = Bench.quick("-u", "127.0.0.1:" + closedPort, "-m", "simple",
          "-i", "http", "--mode", mode);

      assertEquals(BenchMain.EXIT_SETUP, result.exit(), result.err());
      assertTrue(result.err().contains("cannot reach the server at 127.0.0.1:" + closedPort),
          result.err());
    }
  }

  private static BenchMain parse(String... args) {
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    BenchMain main = new BenchMain(nowhere, nowhere, false);
    new CommandLine(main).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return main;
  }
}
