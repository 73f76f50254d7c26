package dev.gantry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Gantry server in a process of its own on a loopback ephemeral port, so that it can be
 * stopped the two ways Kubernetes stops a pod: SIGTERM, which drains it, and SIGKILL.
 *
 * <p>The process runs {@code dev.gantry.server.Main serve} from a given class path; its log goes
 * to a file, from which the port it bound is read.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("gRPC listening on [^ ]+:(\\d+) ");
  private static final String READY = "server is ready";
  /**
   * The server's lines that say where it listens and when it is ready are INFO; the class path
   * it runs from may configure logging more quietly (the benchmark's does), so it gets its own.
   */
  private static final String LOGGING = """
      <configuration>
        <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n</pattern></encoder>
        </appender>
        <logger name="io.grpc" level="WARN"/>
        <root level="INFO"><appender-ref ref="OUT"/></root>
      </configuration>
      """;

  private final Process process;
  private final Path log;
  private final int port;

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts a server on {@code repository} and returns once it reports ready.
   *
   * @param classpath the server's class path (its distribution's {@code lib/*}, or a test's)
   * @param exitTimeout how long SIGTERM lets queued and running requests finish
   * @throws IllegalStateException if the server exits or is not ready within {@code startTimeout}
   */
  static ServerProcess start(String classpath, Path repository, Path log, Duration exitTimeout,
      Duration startTimeout) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path logging = log.resolveSibling(log.getFileName() + ".logback.xml");
    Files.writeString(logging, LOGGING);
    ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "-Xmx512m",
        "-Dlogback.configurationFile=" + logging, "-cp", classpath, "dev.gantry.server.Main", "serve",
        "--model-repository", repository.toString(), "--host", "127.0.0.1", "--grpc-port", "0",
        "--allow-http", "false",
        "--allow-metrics", "false", "--exit-timeout-secs", Long.toString(exitTimeout.toSeconds())))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
    Process process = builder.start();
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.readString(log);
      Matcher listening = LISTENING.matcher(text);
      if (listening.find() && text.contains(READY)) {
        return new ServerProcess(process, log, Integer.parseInt(listening.group(1)));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited with " + process.exitValue()
            + " before it was ready; its log:\n" + text);
      }
      Thread.sleep(50);
    }
    process.destroyForcibly();
    throw new IllegalStateException("the server was not ready within " + startTimeout
        + "; its log:\n" + Files.readString(log));
  }

  /** The server's gRPC address, {@code 127.0.0.1:port}. */
  String target() {
    return "127.0.0.1:" + port;
  }

  /** Sends SIGTERM: the server stops taking calls, drains, and exits. */
  void terminate() {
    process.destroy();
  }

  /** Sends SIGKILL: the server dies with whatever it was doing. */
  void kill() {
    process.destroyForcibly();
  }

  /** The exit code once the process has exited, waiting up to {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the server on " + target() + " did not exit within "
          + timeout + "; its log:\n" + logText());
    }
    return process.exitValue();
  }

  /** What the server logged so far. */
  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
