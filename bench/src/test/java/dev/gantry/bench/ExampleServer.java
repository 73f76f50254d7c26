package dev.gantry.bench;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.server.GantryServer;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.http.HttpOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests one real Gantry server on loopback, serving the example repository ({@code simple},
 * {@code identity_fp32}, {@code mixed}) that gantry-test-models writes: started once for all the
 * module's tests and stopped when they end.
 */
final class ExampleServer implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ExampleServer.class);

  /** The running server and its repository, removed when the tests end. */
  record Running(GantryServer server, Path repository) implements AutoCloseable {
    /** The server's gRPC address. */
    String url() {
      return "127.0.0.1:" + server.port();
    }

    /** The server's HTTP/REST address. */
    String httpUrl() {
      return "127.0.0.1:" + server.httpPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      try (Stream<Path> files = Files.walk(repository)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Running.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("server", key -> start(), Running.class);
  }

  private static Running start() {
    try {
      Path repository = Files.createTempDirectory("gantry-bench-models");
      ExampleRepository.write(repository);
      return new Running(GantryServer.start(ServerOptions.forRepositories(repository)
          .withHttp(new HttpOptions(0, HttpOptions.DEFAULT_BODY_TIMEOUT))), repository);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
