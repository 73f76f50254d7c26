package dev.gantry.server;

import dev.gantry.server.model.Backends;
import dev.gantry.server.model.ModelLoader;
import dev.gantry.server.model.ModelRepository;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.server.transport.CallMetricsInterceptor;
import dev.gantry.server.transport.InferenceService;
import dev.gantry.server.transport.ServerIdentity;
import dev.gantry.server.validation.RequestValidator;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Gantry: the gRPC server, the model repository behind it, and their threads, started
 * and stopped in the right order.
 *
 * <p>Start-up opens the port first (so liveness answers at once), then loads the models; readiness
 * turns true when every model has loaded or failed. Shutdown turns readiness false, refuses new
 * calls, lets queued and running requests finish within the exit timeout, then stops.
 */
public final class GantryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GantryServer.class);
  private static final String SERVICE = "inference.GRPCInferenceService";

  private final ServerOptions options;
  private final Server grpc;
  private final ModelRepository repository;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ScheduledExecutorService timer;
  private final ExecutorService loadPool;
  private final ServerMetrics metrics = new ServerMetrics();
  private HTTPServer metricsEndpoint;
  private volatile boolean ready;
  private volatile boolean stopping;

  private GantryServer(ServerOptions options) {
    this.options = options;
    ScheduledThreadPoolExecutor deadlines =
        new ScheduledThreadPoolExecutor(1, named("gantry-deadline-timer"));
    deadlines.setRemoveOnCancelPolicy(true);
    this.timer = deadlines;
    this.loadPool = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), named("gantry-model-loader"));
    ModelLoader loader =
        new ModelLoader(Backends.discover(), timer, options.maxQueueSize(), metrics);
    this.repository = new ModelRepository(options.modelRepositories(), loader, loadPool, metrics);
    InferenceService service = new InferenceService(
        ServerIdentity.gantry(),
        repository,
        new RequestValidator(options.maxElementsPerTensor()),
        () -> ready && !stopping,
        options.streamWindow());
    this.grpc = NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.grpcPort()))
        .directExecutor()
        .maxInboundMessageSize(options.maxMessageBytes())
        .addService(ServerInterceptors.intercept(service, new CallMetricsInterceptor(metrics)))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build();
  }

  /** Starts serving and loads the models; returns once every model has loaded or failed. */
  public static GantryServer start(ServerOptions options) throws IOException {
    GantryServer server = new GantryServer(options);
    server.health.setStatus("", ServingStatus.NOT_SERVING);
    server.health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
    server.grpc.start();
    log.info("gRPC listening on {}:{}", options.host(), server.port());
    if (options.metricsPort() >= 0) {
      server.metricsEndpoint = HTTPServer.builder()
          .hostname(options.host())
          .port(options.metricsPort())
          .registry(server.metrics.prometheus())
          .buildAndStart();
      log.info("Prometheus metrics on http://{}:{}/metrics", options.host(),
          server.metricsEndpoint.getPort());
    }
    if (options.jmx()) {
      server.metrics.startJmx();
    }
    server.repository.loadAll();
    server.ready = true;
    server.health.setStatus("", ServingStatus.SERVING);
    server.health.setStatus(SERVICE, ServingStatus.SERVING);
    log.info("server is ready");
    return server;
  }

  public int port() {
    return grpc.getPort();
  }

  public boolean isReady() {
    return ready && !stopping;
  }

  public ModelRepository repository() {
    return repository;
  }

  /** The port of the Prometheus endpoint, or -1 when it is off. */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.getPort();
  }

  /**
   * Stops the server: readiness false, new calls refused, queued and running requests finished
   * within the exit timeout (the rest answered UNAVAILABLE), models unloaded, threads stopped.
   */
  @Override
  public void close() {
    if (stopping) {
      return;
    }
    stopping = true;
    health.enterTerminalState();
    long deadline = System.nanoTime() + options.exitTimeout().toNanos();
    grpc.shutdown();
    repository.shutdown(options.exitTimeout());
    try {
      if (!grpc.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      grpc.shutdownNow();
    }
    timer.shutdownNow();
    loadPool.shutdownNow();
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    metrics.close();
    log.info("server stopped");
  }

  /** Blocks until the gRPC server has terminated. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
