package dev.gantry.bench;

import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import dev.gantry.client.RetryPolicy;
import dev.gantry.modelgen.OnnxModels;
import dev.gantry.spi.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Several Gantry replicas behind one client, and what happens to requests when replicas go away
 * the way pods do: closed-loop load over all of them (the client's round robin), then one
 * replica is sent SIGTERM and drains, then another is killed outright, and the load goes on
 * against the survivors. Each phase counts the requests that succeeded and failed; a warm-up
 * before the first phase, lasting until every replica has answered, lets the JVMs and sessions
 * reach their pace uncounted.
 *
 * <p>The client retries inference on UNAVAILABLE (what a draining or dead replica's calls end
 * with) with a deadline that leaves room for retries; with that, no request should fail.
 */
final class FailoverScenario {
  /** The model every replica serves: FP32 {@code [-1,4]} copied through. */
  static final String MODEL = "identity";

  /**
   * What to run.
   *
   * @param serverClasspath the class path of the server processes
   * @param workDirectory where the model repository and the server logs go
   * @param replicas how many servers, at least 3 (one drained, one killed, the rest survive)
   * @param concurrency the number of callers, each with one request in flight
   * @param warmup how long the load runs over all replicas before the first phase, uncounted,
   *     and at least until every replica has answered
   * @param phase how long each phase lasts
   * @param deadline each request's deadline, retries included
   * @param exitTimeout the drained replica's {@code --exit-timeout-secs}
   */
  record Settings(String serverClasspath, Path workDirectory, int replicas, int concurrency,
      Duration warmup, Duration phase, Duration deadline, Duration exitTimeout) {
    Settings {
      if (replicas < 3) {
        throw new IllegalArgumentException("replicas must be at least 3: " + replicas);
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
      }
    }
  }

  /** The requests of one phase. */
  record Phase(String name, long ok, long failed, Duration elapsed) {
    /** Successful requests per second. */
    double throughput() {
      return ok / (elapsed.toNanos() / 1e9);
    }
  }

  /**
   * What happened.
   *
   * @param phases the phases in order: all replicas, after SIGTERM, after SIGKILL
   * @param failures failed requests by gRPC status code, over all phases
   * @param servedBeforeFailures inferences each replica ran in the first phase
   * @param terminatedExitCode the drained replica's exit code
   * @param killedExitCode the killed replica's exit code
   */
  record Result(List<Phase> phases, Map<String, Long> failures, List<Long> servedBeforeFailures,
      int terminatedExitCode, int killedExitCode) {
    /** The requests that failed, over all phases. */
    long failed() {
      return phases.stream().mapToLong(Phase::failed).sum();
    }
  }

  private FailoverScenario() {}

  /** Runs the scenario; every server it started is stopped when it returns. */
  static Result run(Settings settings) throws IOException, InterruptedException {
    Path repository = settings.workDirectory().resolve("models");
    Path model = repository.resolve(MODEL).resolve("1").resolve("model.onnx");
    Files.createDirectories(model.getParent());
    Files.write(model, OnnxModels.identity("INPUT0", "OUTPUT0", DataType.FP32, -1, 4));
    List<ServerProcess> servers = new ArrayList<>();
    try {
      for (int i = 0; i < settings.replicas(); i++) {
        servers.add(ServerProcess.start(settings.serverClasspath(), repository,
            settings.workDirectory().resolve("server-" + i + ".log"), settings.exitTimeout(),
            Duration.ofMinutes(2)));
      }
      return underLoad(settings, servers);
    } finally {
      for (ServerProcess server : servers) {
        server.close();
      }
    }
  }

  private static Result underLoad(Settings settings, List<ServerProcess> servers)
      throws InterruptedException {
    List<String> targets = servers.stream().map(ServerProcess::target).toList();
    RetryPolicy retries = RetryPolicy.builder()
        .maxAttempts(10)
        .initialBackoff(Duration.ofMillis(20))
        .maxBackoff(Duration.ofMillis(500))
        .budget(10 * settings.concurrency(), 1)
        .build();
    Map<String, Long> failures = new ConcurrentHashMap<>();
    AtomicReference<Counts> current = new AtomicReference<>(new Counts());
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger callerNumber = new AtomicInteger();
    ExecutorService callers = Executors.newFixedThreadPool(settings.concurrency(),
        work -> new Thread(work, "failover-caller-" + callerNumber.getAndIncrement()));
    try (InferenceClient client = InferenceClient.builder()
        .targets(targets)
        .retryInference(true)
        .retryPolicy(retries)
        .defaultDeadline(settings.deadline())
        .build()) {
      InferRequest request = InferRequest.builder(MODEL)
          .input(InferInput.fp32("INPUT0", new float[] {1, 2, 3, 4}, 1, 4))
          .build();
      for (int i = 0; i < settings.concurrency(); i++) {
        callers.execute(() -> {
          while (running.get()) {
            Counts counts = current.get();
            try {
              client.infer(request);
              counts.ok.increment();
            } catch (InferenceClientException e) {
              counts.failed.increment();
              failures.merge(e.code().name(), 1L, Long::sum);
            } catch (RuntimeException e) {
              counts.failed.increment();
              failures.merge(e.getClass().getSimpleName(), 1L, Long::sum);
            }
          }
        });
      }
      List<Phase> phases = new ArrayList<>();
      ServerProcess drained = servers.get(0);
      ServerProcess killed = servers.get(1);
      measure(current, "warm-up", settings.warmup());
      awaitEveryReplicaServing(targets, Duration.ofMinutes(2));
      phases.add(measure(current, "all " + servers.size() + " replicas", settings.phase()));
      List<Long> served = servedPerReplica(targets);
      drained.terminate();
      phases.add(measure(current, "after SIGTERM of one", settings.phase()));
      killed.kill();
      phases.add(measure(current, "after SIGKILL of another", settings.phase()));
      running.set(false);
      callers.shutdown();
      if (!callers.awaitTermination(settings.deadline().toMillis() + 10_000,
          TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("callers still running after the load stopped");
      }
      return new Result(phases, new TreeMap<>(failures), served,
          drained.awaitExit(settings.exitTimeout().plusSeconds(30)),
          killed.awaitExit(Duration.ofSeconds(30)));
    } finally {
      callers.shutdownNow();
    }
  }

  private static Phase measure(AtomicReference<Counts> current, String name, Duration length)
      throws InterruptedException {
    Counts counts = new Counts();
    current.set(counts);
    long start = System.nanoTime();
    Thread.sleep(length.toMillis());
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    return new Phase(name, counts.ok.sum(), counts.failed.sum(), elapsed);
  }

  /**
   * Waits until the client's round robin has reached every replica: on a loaded machine a
   * replica's connection can take longer than the warm-up to become ready.
   */
  private static void awaitEveryReplicaServing(List<String> targets, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Long> served = servedPerReplica(targets);
    while (served.contains(0L)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("a replica served nothing within " + timeout
            + " of load: " + served);
      }
      Thread.sleep(100);
      served = servedPerReplica(targets);
    }
  }

  private static List<Long> servedPerReplica(List<String> targets) {
    List<Long> served = new ArrayList<>();
    for (String target : targets) {
      try (InferenceClient one = InferenceClient.builder().target(target).build()) {
        served.add(one.modelStatistics(MODEL).get(0).getInferenceCount());
      }
    }
    return served;
  }

  /** The requests of one phase; a request counts in the phase it started in. */
  private static final class Counts {
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
  }
}
