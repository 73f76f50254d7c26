package dev.gantry.bench;

import dev.gantry.client.InferRequest;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import dev.gantry.client.RetryPolicy;
import dev.gantry.proto.ServerMetadataResponse;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A server reached over gRPC with the Gantry client: checked to be live at once, so that an
 * unreachable target fails the run before anything is measured, and asked for its metadata,
 * statistics and models. Retries are off, so that every failure is counted. Responses complete on
 * gRPC's transport thread: the CLI's callbacks only record and release a slot, and a hand-off to
 * another thread per response would cost the load generator's one core more than the call.
 *
 * <p>With {@code -i http} the inferences go to the server's HTTP/REST port instead
 * ({@link HttpEndpoint}, {@link HttpIssuer}); the metadata and statistics still come over gRPC.
 */
final class RemoteSession implements Session {
  private final InferenceClient client;
  private final String target;
  private final ServerMetadataResponse metadata;
  private final Duration requestTimeout;
  private final Duration streamLifetime;
  private final CpuClocks cpu;
  private final Long outputSharedMemoryBytes;
  private final HttpEndpoint http;
  private final List<SystemSharedMemory> sharedMemory = new ArrayList<>();

  private RemoteSession(InferenceClient client, String target, ServerMetadataResponse metadata,
      Duration requestTimeout, Duration streamLifetime, CpuClocks cpu,
      Long outputSharedMemoryBytes, HttpEndpoint http) {
    this.client = client;
    this.target = target;
    this.metadata = metadata;
    this.requestTimeout = requestTimeout;
    this.streamLifetime = streamLifetime;
    this.cpu = cpu;
    this.outputSharedMemoryBytes = outputSharedMemoryBytes;
    this.http = http;
  }

  /**
   * Connects and checks the server is live.
   *
   * @param tls the TLS settings, or null for plaintext
   * @param requestTimeout the deadline of every call
   * @param streamLifetime the deadline of a stream, which lasts a load level: the run's limit
   * @param serverPid the server's process on this machine, for its CPU time; null if unknown
   * @param outputSharedMemoryBytes with system shared memory, the room each output gets there;
   *     null to send tensors in messages
   * @param httpUrl the server's HTTP/REST {@code HOST:PORT} to send inferences to; null to send
   *     them over gRPC
   * @throws SetupException when the server does not answer
   */
  static RemoteSession open(String target, Tls tls, Duration requestTimeout,
      Duration streamLifetime, Long serverPid, Long outputSharedMemoryBytes, String httpUrl)
      throws SetupException {
    InferenceClient.Builder builder = InferenceClient.builder()
        .target(target)
        .retryPolicy(RetryPolicy.none())
        .executor(Runnable::run)
        .defaultDeadline(requestTimeout);
    if (tls != null) {
      tls.apply(builder);
    }
    InferenceClient client = builder.build();
    try {
      if (!client.isServerLive()) {
        throw new SetupException("the server at " + target + " answers but is not live");
      }
      ServerMetadataResponse metadata = client.serverMetadata();
      return new RemoteSession(client, target, metadata, requestTimeout, streamLifetime,
          new CpuClocks(Optional.ofNullable(serverPid).map(ProcessCpu::new), CpuClocks.self()),
          outputSharedMemoryBytes, httpUrl == null ? null : HttpEndpoint.open(httpUrl));
    } catch (InferenceClientException e) {
      client.close();
      throw new SetupException("cannot reach the server at " + target + ": " + e.getMessage(), e);
    } catch (SetupException e) {
      client.close();
      throw e;
    }
  }

  /**
   * Describes a model the server has ready.
   *
   * @throws SetupException when it is not ready or cannot be described
   */
  ModelInfo model(String name, String modelVersion) throws SetupException {
    try {
      if (!client.isModelReady(name, modelVersion)) {
        throw new SetupException("model '" + name + "'"
            + (modelVersion.isEmpty() ? "" : " version " + modelVersion)
            + " is not ready on " + target);
      }
      return RemoteModel.describe(client, name, modelVersion);
    } catch (InferenceClientException e) {
      throw new SetupException("cannot describe model '" + name + "': " + e.getMessage(), e);
    }
  }

  /** Opens an issuer of ServerLive calls. */
  Supplier<RequestIssuer> liveIssuers() {
    return () -> new LiveIssuer(client);
  }

  /** The gRPC target, or the HTTP endpoint when inferences go there. */
  @Override
  public String target() {
    return http == null ? target : http.target();
  }

  @Override
  public String server() {
    return metadata.getName() + " " + metadata.getVersion();
  }

  /** The model's ModelStatistics when the server lists the {@code statistics} extension. */
  @Override
  public StatsSource stats(ModelInfo model) {
    return model != null && metadata.getExtensionsList().contains("statistics")
        ? new RemoteStats(client, model.name(), model.version())
        : StatsSource.NONE;
  }

  @Override
  public CpuClocks cpu() {
    return cpu;
  }

  @Override
  public Supplier<RequestIssuer> issuers(Mode mode, ModelInfo info, List<RequestData> data)
      throws SetupException {
    if (http != null) {
      List<HttpRequest> requests;
      try {
        requests = HttpIssuer.build(http.inferUri(info.name(), info.version()), data,
            requestTimeout);
      } catch (IllegalArgumentException e) {
        throw new SetupException(e.getMessage(), e);
      }
      return () -> new HttpIssuer(http.client(), requests);
    }
    List<InferRequest> requests;
    if (outputSharedMemoryBytes == null) {
      requests = InferRequests.build(info, data);
    } else {
      SystemSharedMemory memory =
          SystemSharedMemory.open(client, info, data, outputSharedMemoryBytes);
      sharedMemory.add(memory);
      requests = memory.requests();
    }
    if (mode == Mode.STREAM) {
      return () -> new StreamIssuer(client, requests, streamLifetime, requestTimeout);
    }
    return () -> new UnaryIssuer(client, requests);
  }

  @Override
  public void close() {
    sharedMemory.forEach(SystemSharedMemory::close);
    if (http != null) {
      http.close();
    }
    client.close();
  }

  /**
   * TLS settings: trust the system's authorities or those in {@code ca}, and present a client
   * certificate when {@code cert} and {@code key} are given.
   */
  record Tls(Path ca, Path cert, Path key) {
    void apply(InferenceClient.Builder builder) {
      builder.useTls();
      if (ca != null) {
        builder.trustCertificates(ca);
      }
      if (cert != null) {
        builder.clientCertificate(cert, key);
      }
    }
  }
}
