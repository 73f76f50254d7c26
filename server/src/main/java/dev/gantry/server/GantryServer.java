package dev.gantry.server;

import dev.gantry.server.http.HttpApiServer;
import dev.gantry.server.memory.DirectBufferPool;
import dev.gantry.server.memory.MemoryReturn;
import dev.gantry.server.memory.SharedMemoryRegistry;
import dev.gantry.server.model.Backends;
import dev.gantry.server.model.ModelLoader;
import dev.gantry.server.model.ModelRepository;
import dev.gantry.server.model.ModelUploads;
import dev.gantry.server.model.RepositoryScanner;
import dev.gantry.server.transport.RepositoryCalls;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.server.scheduler.NativeThreads;
import dev.gantry.server.security.BearerAuthenticator;
import dev.gantry.server.security.Role;
import dev.gantry.server.security.SecurityOptions;
import dev.gantry.server.security.TlsContext;
import dev.gantry.server.transport.ConnectionLimiter;
import dev.gantry.server.transport.ConnectionLimits;
import dev.gantry.server.transport.AuthInterceptor;
import dev.gantry.server.transport.CallMetricsInterceptor;
import dev.gantry.server.transport.RequestParsing;
import dev.gantry.server.transport.InferenceService;
import dev.gantry.server.transport.ServerIdentity;
import dev.gantry.server.validation.RequestValidator;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Gantry: the gRPC server (and the HTTP/REST API beside it), the model repository behind it, and their threads, started
 * and stopped in the right order.
 *
 * <p>Start-up opens the port first (so liveness answers at once), then loads the models; readiness
 * turns true when every model has loaded or failed. Shutdown turns readiness false, refuses new
 * calls, lets queued and running requests finish within the exit timeout, then stops.
 */
public final class GantryServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GantryServer.class);
  private static final String SERVICE = "inference.GRPCInferenceService";

  /** Repository calls that may wait for a thread; more are refused with UNAVAILABLE. */
  private static final int REPOSITORY_CALLS_WAITING = 16;

  private final ServerOptions options;
  private final Server grpc;
  private final Server inProcess;
  /** Lends the memory large inference requests are parsed into. */
  private final DirectBufferPool requestMemory = new DirectBufferPool();
  private final String inProcessName = "gantry-in-process-" + UUID.randomUUID();
  private final ModelRepository repository;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ScheduledExecutorService timer;
  private final ExecutorService loadPool;
  private final ExecutorService retirePool;
  private final ExecutorService repositoryCalls;
  private final ScheduledExecutorService poller;
  private final ModelUploads uploads;
  private final ServerMetrics metrics;
  private final ConnectionLimiter connectionLimiter;
  private MemoryReturn memoryReturn;
  private HTTPServer metricsEndpoint;
  private HttpApiServer httpApi;
  private ManagedChannel httpCalls;
  private volatile boolean ready;
  private volatile boolean stopping;

  private GantryServer(ServerOptions options) throws IOException {
    this.options = options;
    this.connectionLimiter = new ConnectionLimiter(options.connections().maxConnections());
    this.metrics = new ServerMetrics(options.metricNames());
    ScheduledThreadPoolExecutor deadlines =
        new ScheduledThreadPoolExecutor(1, NativeThreads.named("gantry-deadline-timer"));
    deadlines.setRemoveOnCancelPolicy(true);
    this.timer = deadlines;
    this.loadPool = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()),
        NativeThreads.named("gantry-model-loader"));
    this.retirePool = Executors.newSingleThreadExecutor(NativeThreads.named("gantry-model-retire"));
    this.repositoryCalls = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(REPOSITORY_CALLS_WAITING),
        NativeThreads.named("gantry-repository-rpc"));
    this.poller =
        Executors.newSingleThreadScheduledExecutor(NativeThreads.named("gantry-repository-poll"));
    this.uploads = new ModelUploads(
        Files.createTempDirectory("gantry-uploads"), options.maxUploadBytes());
    ModelLoader loader = new ModelLoader(Backends.discover(), timer, options.maxQueueSize(),
        metrics, options.executionTimeout(), options.hostPolicies());
    this.repository = new ModelRepository(
        new RepositoryScanner(options.modelRepositories()), loader, loadPool, retirePool,
        metrics, options.exitTimeout(), uploads);
    SecurityOptions security = options.security();
    SharedMemoryRegistry sharedMemory = new SharedMemoryRegistry(
        SharedMemoryRegistry.SYSTEM_DIRECTORY, SharedMemoryRegistry.MAX_REGIONS);
    InferenceService service = new InferenceService(
        ServerIdentity.gantry(),
        repository,
        new RequestValidator(
            options.maxElementsPerTensor(), options.maxBytesElementBytes(), sharedMemory),
        () -> ready && !stopping,
        options.streamWindow(),
        new RepositoryCalls(repository, options.controlMode(), security.repositoryRpcsDisabled(),
            repositoryCalls),
        sharedMemory);
    InetSocketAddress address = new InetSocketAddress(options.host(), options.grpcPort());
    ServerCredentials credentials = security.tls()
        .map(TlsContext::grpcCredentials)
        .orElseGet(InsecureServerCredentials::create);
    List<ServerServiceDefinition> services = List.of(
        guarded(service.bindService(), new CallMetricsInterceptor(metrics)),
        guarded(health.getHealthService().bindService()),
        guarded(ProtoReflectionServiceV1.newInstance().bindService()));
    this.grpc = withServices(
            options.connections().serverBuilder(address, credentials, connectionLimiter)
                .directExecutor(),
            services)
        .maxInboundMessageSize(options.maxMessageBytes())
        .build();
    this.inProcess = withServices(
        InProcessServerBuilder.forName(inProcessName).directExecutor(), services)
        .maxInboundMessageSize(options.maxMessageBytes())
        .build();
  }

  private static <T extends ServerBuilder<T>> T withServices(
      T builder, List<ServerServiceDefinition> services) {
    services.forEach(builder::addService);
    return builder;
  }

  /**
   * A builder for a server embedded in an application, checked by the same rules as the command
   * line's options.
   */
  public static GantryServerBuilder builder() {
    return new GantryServerBuilder();
  }

  /**
   * A service as the server runs it: requests that are not valid protobuf rejected as the
   * caller's fault, access checked when tokens are configured, then the given interceptors (the
   * last one outermost, so that it also sees refused calls).
   */
  private ServerServiceDefinition guarded(
      ServerServiceDefinition service, ServerInterceptor... outer) {
    List<ServerInterceptor> interceptors = new ArrayList<>();
    if (options.security().tokens().enabled()) {
      interceptors.add(new AuthInterceptor(options.security().tokens()));
    }
    interceptors.addAll(List.of(outer));
    return ServerInterceptors.intercept(RequestParsing.strict(service, requestMemory), interceptors);
  }

  /** Starts serving and loads the models; returns once every model has loaded or failed. */
  public static GantryServer start(ServerOptions options) throws IOException {
    GantryServer server = new GantryServer(options);
    server.health.setStatus("", ServingStatus.NOT_SERVING);
    server.health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
    server.grpc.start();
    server.inProcess.start();
    SecurityOptions security = options.security();
    log.info("gRPC listening on {}:{} ({})", options.host(), server.port(), describe(security));
    if (security.tokens().enabled() && security.tls().isEmpty()) {
      log.warn("access tokens are configured but TLS is not: tokens travel in clear text; "
          + "add --grpc-tls-cert and --grpc-tls-key");
    }
    if (options.http().enabled()) {
      try {
        server.startHttpApi();
      } catch (IOException e) {
        server.close();
        throw e;
      }
    }
    if (options.metricsPort() >= 0) {
      HTTPServer.Builder endpoint = HTTPServer.builder()
          .hostname(options.host())
          .port(options.metricsPort())
          .registry(server.metrics.prometheus());
      security.tls().ifPresent(tls -> endpoint.httpsConfigurator(tls.httpsConfigurator()));
      if (security.tokens().enabled()) {
        endpoint.authenticator(new BearerAuthenticator(security.tokens()));
      }
      server.metricsEndpoint = endpoint.buildAndStart();
      log.info("Prometheus metrics on {}://{}:{}/metrics", security.tls().isPresent()
          ? "https" : "http", options.host(), server.metricsEndpoint.getPort());
    }
    if (options.jmx()) {
      server.metrics.startJmx();
    }
    server.memoryReturn = MemoryReturn.start(options.memoryReturn(), System.getenv());
    server.loadStartupModels();
    server.ready = true;
    server.health.setStatus("", ServingStatus.SERVING);
    server.health.setStatus(SERVICE, ServingStatus.SERVING);
    log.info("server is ready");
    return server;
  }

  private void startHttpApi() throws IOException {
    httpCalls = InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
    ConnectionLimits connections = options.connections();
    httpApi = HttpApiServer.start(options.host(), options.http(),
        new HttpApiServer.HttpLimits(options.maxMessageBytes(), connections.maxConnections(),
            connections.firstRequestTimeout(), connections.maxConnectionIdle()),
        options.security().tls().map(TlsContext::nettySslContext), httpCalls);
    log.info("HTTP/REST listening on {}:{}", options.host(), httpApi.port());
  }

  private static String describe(SecurityOptions security) {
    String transport = security.tls()
        .map(tls -> tls.requiresClientCertificates()
            ? "TLS as " + tls.subject() + ", client certificates required"
            : "TLS as " + tls.subject())
        .orElse("plaintext");
    String access = security.tokens().enabled()
        ? security.tokens().count(Role.INFERENCE) + " inference and "
            + security.tokens().count(Role.ADMIN) + " admin tokens"
        : "no access control";
    return transport + "; " + access
        + (security.repositoryRpcsDisabled() ? "; repository load and unload disabled" : "");
  }

  private void loadStartupModels() {
    switch (options.controlMode()) {
      case EXPLICIT -> {
        repository.discover();
        if (options.startupModels().contains("*")) {
          repository.loadAll();
        } else {
          repository.loadOnly(options.startupModels());
        }
      }
      case POLL -> {
        repository.loadAll();
        long every = options.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
      }
      case NONE -> repository.loadAll();
    }
  }

  private void poll() {
    try {
      repository.poll();
    } catch (RuntimeException e) {
      log.error("repository poll failed", e);
    }
  }

  public int port() {
    return grpc.getPort();
  }

  /**
   * A new channel to this server inside the JVM, with no socket: the same services, interceptors
   * and access checks as the gRPC port. Give it to {@code InferenceClient.builder().channel(..)};
   * the caller shuts it down.
   */
  public ManagedChannel inProcessChannel() {
    return InProcessChannelBuilder.forName(inProcessName)
        .maxInboundMessageSize(options.maxMessageBytes())
        .build();
  }

  public boolean isReady() {
    return ready && !stopping;
  }

  public ModelRepository repository() {
    return repository;
  }

  /** The port of the HTTP/REST API, or -1 when it is off. */
  public int httpPort() {
    return httpApi == null ? -1 : httpApi.port();
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
    poller.shutdownNow();
    if (httpApi != null) {
      httpApi.stopAccepting();
    }
    grpc.shutdown();
    inProcess.shutdown();
    repositoryCalls.shutdownNow();
    repository.shutdown(options.exitTimeout());
    awaitTermination(grpc, deadline);
    awaitTermination(inProcess, deadline);
    if (httpApi != null) {
      httpApi.close(deadline);
    }
    if (httpCalls != null) {
      httpCalls.shutdownNow();
    }
    timer.shutdownNow();
    loadPool.shutdownNow();
    if (memoryReturn != null) {
      memoryReturn.close();
    }
    uploads.deleteAll();
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    metrics.close();
    log.info("server stopped");
  }

  private static void awaitTermination(Server server, long deadlineNanos) {
    try {
      if (!server.awaitTermination(
          Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }

  /** Blocks until the gRPC server has terminated. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

}
