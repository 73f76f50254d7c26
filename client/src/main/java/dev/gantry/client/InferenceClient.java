package dev.gantry.client;

import com.google.protobuf.ByteString;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelConfigResponse;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelMetadataResponse;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelReadyResponse;
import dev.gantry.proto.ModelRepositoryParameter;
import dev.gantry.proto.ModelStatistics;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.ModelStatisticsResponse;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryIndexResponse;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.proto.ServerLiveRequest;
import dev.gantry.proto.ServerLiveResponse;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.proto.ServerMetadataResponse;
import dev.gantry.proto.ServerReadyRequest;
import dev.gantry.proto.ServerReadyResponse;
import dev.gantry.proto.SystemSharedMemoryRegisterRequest;
import dev.gantry.proto.SystemSharedMemoryStatusRequest;
import dev.gantry.proto.SystemSharedMemoryStatusResponse;
import dev.gantry.proto.SystemSharedMemoryUnregisterRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client for any server of the Open Inference Protocol (KServe v2) over gRPC, such as Gantry or
 * Triton.
 *
 * <p>Wraps the protocol's generated stubs with what every Java service otherwise writes by hand:
 * connection setup (plaintext, TLS, mutual TLS, several servers with round-robin), default
 * deadlines and headers, retries of safe calls, typed tensors, and inference blocking,
 * asynchronously or on a flow-controlled stream. Every failure surfaces as an {@link
 * InferenceClientException}.
 *
 * <p>A client is thread-safe and meant to be shared: build one per application with {@link
 * #builder()} and {@link #close()} it on shutdown.
 *
 * <pre>{@code
 * try (InferenceClient client = InferenceClient.builder().target("localhost:8001").build()) {
 *   InferResult result = client.infer(InferRequest.builder("simple")
 *       .input(InferInput.fp32("INPUT0", new float[16], 1, 16))
 *       .build());
 *   float[] scores = result.output("OUTPUT0").asFloats();
 * }
 * }</pre>
 */
public final class InferenceClient implements AutoCloseable {
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final ManagedChannel ownedChannel;
  private final Channel channel;
  private final ScheduledExecutorService scheduler;
  private final UnaryCalls calls;
  private final Duration defaultDeadline;
  private final boolean retryInference;

  private InferenceClient(Builder builder, ManagedChannel channel, boolean owned) {
    this.ownedChannel = owned ? channel : null;
    Metadata headers = new Metadata();
    headers.merge(builder.headers);
    this.channel =
        headers.keys().isEmpty()
            ? channel
            : ClientInterceptors.intercept(
                channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "inference-client-retry");
              thread.setDaemon(true);
              return thread;
            });
    this.calls = new UnaryCalls(this.channel, scheduler, builder.retryPolicy);
    this.defaultDeadline = builder.defaultDeadline;
    this.retryInference = builder.retryInference;
  }

  /** A builder for a client. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the server is live: running, though perhaps not ready for inference. */
  public boolean isServerLive() {
    return query(
        GRPCInferenceServiceGrpc.getServerLiveMethod(),
        ServerLiveRequest.getDefaultInstance(),
        ServerLiveResponse::getLive);
  }

  /** Whether the server is ready for inference. */
  public boolean isServerReady() {
    return query(
        GRPCInferenceServiceGrpc.getServerReadyMethod(),
        ServerReadyRequest.getDefaultInstance(),
        ServerReadyResponse::getReady);
  }

  /** Whether the server's choice of version of this model is ready for inference. */
  public boolean isModelReady(String model) {
    return isModelReady(model, "");
  }

  /**
   * Whether this version of the model is ready for inference; an empty version lets the server
   * pick.
   */
  public boolean isModelReady(String model, String version) {
    return query(
        GRPCInferenceServiceGrpc.getModelReadyMethod(),
        ModelReadyRequest.newBuilder().setName(model).setVersion(version).build(),
        ModelReadyResponse::getReady);
  }

  /** The server's name, version and protocol extensions. */
  public ServerMetadataResponse serverMetadata() {
    return Blocking.await(serverMetadataAsync());
  }

  /** {@link #serverMetadata()} without waiting; see {@link #inferAsync} for the future's rules. */
  public CompletableFuture<ServerMetadataResponse> serverMetadataAsync() {
    return queryAsync(
        GRPCInferenceServiceGrpc.getServerMetadataMethod(),
        ServerMetadataRequest.getDefaultInstance(),
        Function.identity());
  }

  /** The versions, platform, inputs and outputs of a model. */
  public ModelMetadataResponse modelMetadata(String model) {
    return modelMetadata(model, "");
  }

  /** The metadata of this version of a model; an empty version lets the server pick. */
  public ModelMetadataResponse modelMetadata(String model, String version) {
    return Blocking.await(modelMetadataAsync(model, version));
  }

  /** {@link #modelMetadata(String, String)} without waiting. */
  public CompletableFuture<ModelMetadataResponse> modelMetadataAsync(
      String model, String version) {
    return queryAsync(
        GRPCInferenceServiceGrpc.getModelMetadataMethod(),
        ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build(),
        Function.identity());
  }

  /** The configuration of a model. */
  public ModelConfig modelConfig(String model) {
    return modelConfig(model, "");
  }

  /** The configuration of this version of a model; an empty version lets the server pick. */
  public ModelConfig modelConfig(String model, String version) {
    return Blocking.await(modelConfigAsync(model, version));
  }

  /** {@link #modelConfig(String, String)} without waiting. */
  public CompletableFuture<ModelConfig> modelConfigAsync(String model, String version) {
    return queryAsync(
        GRPCInferenceServiceGrpc.getModelConfigMethod(),
        ModelConfigRequest.newBuilder().setName(model).setVersion(version).build(),
        ModelConfigResponse::getConfig);
  }

  /** The statistics of every model. */
  public List<ModelStatistics> modelStatistics() {
    return modelStatistics("", "");
  }

  /** The statistics of every version of a model. */
  public List<ModelStatistics> modelStatistics(String model) {
    return modelStatistics(model, "");
  }

  /** The statistics of a model version; an empty name or version selects all. */
  public List<ModelStatistics> modelStatistics(String model, String version) {
    return Blocking.await(modelStatisticsAsync(model, version));
  }

  /** {@link #modelStatistics(String, String)} without waiting. */
  public CompletableFuture<List<ModelStatistics>> modelStatisticsAsync(
      String model, String version) {
    return queryAsync(
        GRPCInferenceServiceGrpc.getModelStatisticsMethod(),
        ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build(),
        ModelStatisticsResponse::getModelStatsList);
  }

  /**
   * The models of the server's repository with their state.
   *
   * @param readyOnly list only the models that are ready
   */
  public List<RepositoryIndexResponse.ModelIndex> repositoryIndex(boolean readyOnly) {
    return Blocking.await(repositoryIndexAsync(readyOnly));
  }

  /** {@link #repositoryIndex(boolean)} without waiting. */
  public CompletableFuture<List<RepositoryIndexResponse.ModelIndex>> repositoryIndexAsync(
      boolean readyOnly) {
    return queryAsync(
        GRPCInferenceServiceGrpc.getRepositoryIndexMethod(),
        RepositoryIndexRequest.newBuilder().setReady(readyOnly).build(),
        RepositoryIndexResponse::getModelsList);
  }

  /** Loads, or reloads, a model from the server's repository. */
  public void loadModel(String model) {
    loadModel(model, null, Map.of());
  }

  /** {@link #loadModel(String)} without waiting; the future completes when the model is loaded. */
  public CompletableFuture<Void> loadModelAsync(String model) {
    return loadModelAsync(model, null, Map.of());
  }

  /**
   * Loads a model with a configuration and files supplied by the caller rather than the repository.
   *
   * @param configJson the model configuration as JSON, sent as the {@code config} parameter, or
   *     {@code null} to keep the repository's
   * @param files model files by path within the model directory (such as {@code 1/model.onnx}),
   *     each sent as a {@code file:<path>} parameter
   */
  public void loadModel(String model, String configJson, Map<String, byte[]> files) {
    Blocking.await(loadModelAsync(model, configJson, files));
  }

  /** {@link #loadModel(String, String, Map)} without waiting. */
  public CompletableFuture<Void> loadModelAsync(
      String model, String configJson, Map<String, byte[]> files) {
    RepositoryModelLoadRequest.Builder request =
        RepositoryModelLoadRequest.newBuilder().setModelName(model);
    if (configJson != null) {
      request.putParameters(
          "config", ModelRepositoryParameter.newBuilder().setStringParam(configJson).build());
    }
    files.forEach(
        (path, contents) ->
            request.putParameters(
                "file:" + path,
                ModelRepositoryParameter.newBuilder()
                    .setBytesParam(ByteString.copyFrom(contents))
                    .build()));
    return commandAsync(GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod(), request.build());
  }

  /** Unloads a model. */
  public void unloadModel(String model) {
    Blocking.await(unloadModelAsync(model));
  }

  /** {@link #unloadModel(String)} without waiting. */
  public CompletableFuture<Void> unloadModelAsync(String model) {
    return commandAsync(
        GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod(),
        RepositoryModelUnloadRequest.newBuilder().setModelName(model).build());
  }

  /**
   * Unloads a model and, if asked, the models that depend on it, such as the ensembles using it.
   */
  public void unloadModel(String model, boolean unloadDependents) {
    Blocking.await(unloadModelAsync(model, unloadDependents));
  }

  /** {@link #unloadModel(String, boolean)} without waiting. */
  public CompletableFuture<Void> unloadModelAsync(String model, boolean unloadDependents) {
    return commandAsync(
        GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod(),
        RepositoryModelUnloadRequest.newBuilder()
            .setModelName(model)
            .putParameters(
                "unload_dependents",
                ModelRepositoryParameter.newBuilder().setBoolParam(unloadDependents).build())
            .build());
  }
  /**
   * Registers a window of a POSIX shared-memory object (created by the caller with {@code
   * shm_open}, on the server's host) as a system shared-memory region, so that inputs and outputs
   * can name it with {@link SharedMemoryRange} instead of travelling in messages.
   *
   * @param key the object's key, {@code /name}
   * @param offset where the region starts in the object
   */
  public void registerSystemSharedMemory(String name, String key, long offset, long byteSize) {
    Blocking.await(commandAsync(
        GRPCInferenceServiceGrpc.getSystemSharedMemoryRegisterMethod(),
        SystemSharedMemoryRegisterRequest.newBuilder()
            .setName(name)
            .setKey(key)
            .setOffset(offset)
            .setByteSize(byteSize)
            .build()));
  }

  /**
   * The registered system shared-memory regions by name, or only the named one.
   *
   * @param name a region's name, or empty for every region
   */
  public Map<String, SystemSharedMemoryStatusResponse.RegionStatus> systemSharedMemoryStatus(
      String name) {
    return query(
        GRPCInferenceServiceGrpc.getSystemSharedMemoryStatusMethod(),
        SystemSharedMemoryStatusRequest.newBuilder().setName(name).build(),
        SystemSharedMemoryStatusResponse::getRegionsMap);
  }

  /**
   * Unregisters a system shared-memory region; the caller still owns and must remove the object.
   *
   * @param name a region's name, or empty for every region
   */
  public void unregisterSystemSharedMemory(String name) {
    Blocking.await(commandAsync(
        GRPCInferenceServiceGrpc.getSystemSharedMemoryUnregisterMethod(),
        SystemSharedMemoryUnregisterRequest.newBuilder().setName(name).build()));
  }


  /** Runs an inference and waits for its result. */
  public InferResult infer(InferRequest request) {
    return Blocking.await(inferAsync(request));
  }

  /**
   * Starts an inference; the future completes with its result or an {@link
   * InferenceClientException}. Cancelling the future cancels the call.
   *
   * <p>Stages chained to the future without an executor run on gRPC's threads and must not block.
   */
  public CompletableFuture<InferResult> inferAsync(InferRequest request) {
    Duration deadline = request.deadline().orElse(defaultDeadline);
    return calls.call(
        GRPCInferenceServiceGrpc.getModelInferMethod(),
        request.message(),
        deadlineAfter(deadline),
        retryInference,
        InferResult::new);
  }

  /** Opens an inference stream without a deadline. */
  public InferStream openStream() {
    return InferStream.open(channel, CallOptions.DEFAULT);
  }

  /** Opens an inference stream that the client cancels once {@code deadline} has passed. */
  public InferStream openStream(Duration deadline) {
    return InferStream.open(channel, CallOptions.DEFAULT.withDeadline(deadlineAfter(deadline)));
  }

  /**
   * Closes the client. Stops retries still pending and, if the client opened its own channel, shuts
   * it down, waiting briefly for calls in flight; a channel given to the builder is left open.
   */
  @Override
  public void close() {
    scheduler.shutdownNow();
    if (ownedChannel == null) {
      return;
    }
    ownedChannel.shutdown();
    try {
      if (!ownedChannel.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        ownedChannel.shutdownNow();
      }
    } catch (InterruptedException e) {
      ownedChannel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private <Q, R, T> T query(MethodDescriptor<Q, R> method, Q request, Function<R, T> mapping) {
    return Blocking.await(queryAsync(method, request, mapping));
  }

  /** A call that only reads, so retried by the retry policy. */
  private <Q, R, T> CompletableFuture<T> queryAsync(
      MethodDescriptor<Q, R> method, Q request, Function<R, T> mapping) {
    return calls.call(method, request, deadlineAfter(defaultDeadline), true, mapping);
  }

  /** A call that changes the server, so never repeated. */
  private <Q, R> CompletableFuture<Void> commandAsync(MethodDescriptor<Q, R> method, Q request) {
    return calls.call(
        method, request, deadlineAfter(defaultDeadline), false, response -> (Void) null);
  }

  private static Deadline deadlineAfter(Duration duration) {
    return duration == null ? null : Deadline.after(duration.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Configures and builds an {@link InferenceClient}.
   *
   * <p>Give either where the server is — {@link #target}, {@link #targets} — with transport
   * settings, or a ready {@link #channel}. Call settings (deadline, headers, retries) apply either
   * way.
   */
  public static final class Builder {
    private final ChannelFactory channelFactory = new ChannelFactory();
    private final Metadata headers = new Metadata();
    private ManagedChannel channel;
    private Duration defaultDeadline;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private boolean retryInference;

    private Builder() {}

    /**
     * The server, as {@code host:port} or as a gRPC target URI such as {@code
     * dns:///inference.example.com:8001}; the client balances calls round-robin over all the
     * addresses a name resolves to.
     */
    public Builder target(String target) {
      channelFactory.target = Objects.requireNonNull(target, "target");
      channelFactory.targets = List.of();
      return this;
    }

    /** Several servers, each {@code host:port}, to balance calls over round-robin. */
    public Builder targets(String... targets) {
      return targets(List.of(targets));
    }

    /** Several servers, each {@code host:port}, to balance calls over round-robin. */
    public Builder targets(List<String> targets) {
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("targets must not be empty");
      }
      List<Target> parsed = new ArrayList<>();
      for (String target : targets) {
        parsed.add(Target.parse(target));
      }
      channelFactory.targets = List.copyOf(parsed);
      channelFactory.target = null;
      return this;
    }

    /**
     * A channel the caller opened and configured, instead of a target and transport settings. The
     * client does not shut it down on {@link InferenceClient#close()}.
     */
    public Builder channel(ManagedChannel channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    /** Connect with TLS, trusting the system's certificate authorities unless told otherwise. */
    public Builder useTls() {
      channelFactory.tls = true;
      return this;
    }

    /** Connect with TLS, trusting the certificate authorities in this PEM file. */
    public Builder trustCertificates(Path caCertificatesPem) {
      channelFactory.trustCertificates = Objects.requireNonNull(caCertificatesPem);
      return useTls();
    }

    /**
     * Connect with mutual TLS, presenting this client certificate.
     *
     * @param certificateChainPem the client's certificate chain, PEM
     * @param privateKeyPem the client's private key, PKCS#8 PEM
     */
    public Builder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
      channelFactory.certificateChain = Objects.requireNonNull(certificateChainPem);
      channelFactory.privateKey = Objects.requireNonNull(privateKeyPem);
      return useTls();
    }

    /**
     * The authority to claim and verify the server's certificate against, instead of the target's.
     */
    public Builder authority(String authority) {
      channelFactory.authority = Objects.requireNonNull(authority);
      return this;
    }

    /** The largest response message accepted, in bytes; 64 MiB by default. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxInboundMessageSize must be positive: " + bytes);
      }
      channelFactory.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * Where the client completes its futures and calls stream callbacks; by default gRPC's shared
     * thread pool, which is safe for callbacks that block. An application whose callbacks never
     * block can pass {@code Runnable::run} to run them on the transport's own thread instead,
     * saving a thread hand-off per response (a load generator does this); a callback that then
     * blocks stalls every call on the connection. Blocking calls include the client's own blocking
     * methods and {@link InferStream#send}, which waits while the stream is not ready.
     */
    public Builder executor(Executor executor) {
      channelFactory.executor = Objects.requireNonNull(executor);
      return this;
    }

    /**
     * Pings the server after {@code time} without activity and drops the connection if no answer
     * comes within {@code timeout}, so that dead connections are noticed before a call needs them.
     */
    public Builder keepAlive(Duration time, Duration timeout) {
      channelFactory.keepAliveTime = Objects.requireNonNull(time);
      channelFactory.keepAliveTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * The deadline of every call that sets none of its own; none by default. It covers all retries
     * of a call. Streams take their deadline from {@link InferenceClient#openStream(Duration)}.
     */
    public Builder defaultDeadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive: " + deadline);
      }
      this.defaultDeadline = deadline;
      return this;
    }

    /** A header sent with every call; ASCII values only. */
    public Builder header(String name, String value) {
      headers.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
      return this;
    }

    /** Sends {@code authorization: Bearer <token>} with every call. */
    public Builder bearerToken(String token) {
      return header("authorization", "Bearer " + token);
    }

    /** How to retry calls that fail with {@code UNAVAILABLE} or {@code RESOURCE_EXHAUSTED}. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy);
      return this;
    }

    /**
     * Whether unary inference is retried by the {@link #retryPolicy} too; off by default, since a
     * retried inference may run twice on the server. Streams are never retried.
     */
    public Builder retryInference(boolean retryInference) {
      this.retryInference = retryInference;
      return this;
    }

    /**
     * The client. Connection happens lazily, on the first call.
     *
     * @throws IllegalStateException if neither a target nor a channel was given, or a channel was
     *     given together with transport settings
     * @throws java.io.UncheckedIOException if a certificate or key file cannot be read
     */
    public InferenceClient build() {
      if (channel != null) {
        if (channelFactory.isConfigured()) {
          throw new IllegalStateException(
              "a given channel carries its own target and transport settings; set them on it");
        }
        return new InferenceClient(this, channel, false);
      }
      if (channelFactory.target == null && channelFactory.targets.isEmpty()) {
        throw new IllegalStateException("set a target, targets or a channel");
      }
      return new InferenceClient(this, channelFactory.open(), true);
    }
  }
}
