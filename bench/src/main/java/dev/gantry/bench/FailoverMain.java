package dev.gantry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs {@link FailoverScenario} and prints its numbers: requests that succeeded and failed, and
 * the throughput of each phase, for bench/RESULTS.md.
 *
 * <p>Exit status: 0 when no request failed, 1 when some did.
 */
@Command(
    name = "gantry-failover",
    mixinStandardHelpOptions = true,
    description = "Loads several Gantry replicas through one client while one is sent SIGTERM "
        + "and another is killed, and prints what the requests saw.")
public final class FailoverMain implements Callable<Integer> {
  @Option(names = "--replicas", defaultValue = "3",
      description = "Server processes to start, at least 3 (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(names = "--concurrency", defaultValue = "8",
      description = "Callers with one request in flight each (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--warmup-secs", defaultValue = "20",
      description = "Uncounted load before the first phase (default: ${DEFAULT-VALUE}).")
  long warmupSecs;

  @Option(names = "--phase-secs", defaultValue = "20",
      description = "Length of each phase (default: ${DEFAULT-VALUE}).")
  long phaseSecs;

  @Option(names = "--deadline-secs", defaultValue = "10",
      description = "Each request's deadline, retries included (default: ${DEFAULT-VALUE}).")
  long deadlineSecs;

  @Option(names = "--exit-timeout-secs", defaultValue = "10",
      description = "The drained replica's --exit-timeout-secs (default: ${DEFAULT-VALUE}).")
  long exitTimeoutSecs;

  @Option(names = "--server-classpath", paramLabel = "CLASSPATH",
      description = "The servers' class path (default: this process's).")
  String serverClasspath = System.getProperty("java.class.path");

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("gantry-failover");
    FailoverScenario.Result result = FailoverScenario.run(new FailoverScenario.Settings(
        serverClasspath, work, replicas, concurrency, Duration.ofSeconds(warmupSecs),
        Duration.ofSeconds(phaseSecs),
        Duration.ofSeconds(deadlineSecs), Duration.ofSeconds(exitTimeoutSecs)));
    System.out.printf(Locale.ROOT, "| phase | ok | failed | throughput (req/s) |%n|---|---|---|---|%n");
    for (FailoverScenario.Phase phase : result.phases()) {
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f |%n",
          phase.name(), phase.ok(), phase.failed(), phase.throughput());
    }
    System.out.printf(Locale.ROOT, "%nserved per replica before the failures: %s%n",
        result.servedBeforeFailures());
    System.out.printf(Locale.ROOT, "failures by status: %s%n", result.failures());
    System.out.printf(Locale.ROOT, "exit codes: SIGTERM %d, SIGKILL %d; logs in %s%n",
        result.terminatedExitCode(), result.killedExitCode(), work);
    return result.failed() == 0 ? 0 : 1;
  }

  /** Runs the scenario from the command line. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new FailoverMain()).execute(args));
  }
}
