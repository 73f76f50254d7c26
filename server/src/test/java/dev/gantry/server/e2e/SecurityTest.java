package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.client.InferInput;
import com.google.gson.JsonParser;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import dev.gantry.client.RetryPolicy;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelStreamInferResponse;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.proto.ServerLiveRequest;
import dev.gantry.proto.ServerReadyRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.http.HttpOptions;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.server.security.AccessTokens;
import dev.gantry.server.security.SecurityOptions;
import dev.gantry.server.security.TlsContext;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS on the gRPC port and the metrics endpoint, bearer tokens with their two
 * roles, the switch that turns off the repository RPCs, and the start-up checks of the PEM files;
 * all over real connections on loopback, with certificates made for the run.
 */
class SecurityTest {
  private static final String INFERENCE_TOKEN = "inference-token-0123456789abcdef";
  private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";
  private static final String ENV_ADMIN_TOKEN = "env-admin-token-0123456789abcdef";

  @TempDir static Path directory;
  static Path repository;
  static TestCertificates certificates;

  @BeforeAll
  static void prepare() throws Exception {
    repository = Files.createDirectories(directory.resolve("models"));
    ExampleRepository.write(repository);
    certificates = TestCertificates.create(Files.createDirectories(directory.resolve("pki")));
  }

  private static RunningServer serve(SecurityOptions security, ModelControlMode mode)
      throws IOException {
    return new RunningServer(ServerOptions.forRepositories(repository)
        .withControlMode(mode, Duration.ofSeconds(1), List.of("*"))
        .withSecurity(security));
  }

  private static SecurityOptions tls(boolean mutual) {
    return new SecurityOptions(Optional.of(TlsContext.fromPem(certificates.serverCertificate,
        certificates.serverKey, mutual ? Optional.of(certificates.ca) : Optional.empty())),
        AccessTokens.none(), false);
  }

  private static AccessTokens tokens() throws IOException {
    Path file = Files.writeString(directory.resolve("tokens"), """
        # role token
        inference %s

        ADMIN %s
        """.formatted(INFERENCE_TOKEN, ADMIN_TOKEN));
    return AccessTokens.load(Optional.of(file), Map.of(AccessTokens.ADMIN_ENV, ENV_ADMIN_TOKEN));
  }

  private static InferenceClient.Builder client(RunningServer gantry) {
    return InferenceClient.builder()
        .target("127.0.0.1:" + gantry.server.port())
        .retryPolicy(RetryPolicy.none())
        .defaultDeadline(Duration.ofSeconds(20));
  }

  private static InferRequest simple() {
    float[] ones = new float[16];
    java.util.Arrays.fill(ones, 1f);
    return InferRequest.builder("simple")
        .input(InferInput.fp32("INPUT0", ones, 1, 16))
        .input(InferInput.fp32("INPUT1", ones, 1, 16))
        .build();
  }

  private static Status.Code failure(InferenceClient client) {
    return assertThrows(InferenceClientException.class, client::isServerLive).code();
  }

  /** An HTTPS client trusting the test CA, presenting a client certificate if given one. */
  private static HttpClient https(Optional<Path> certificate, Optional<Path> key) throws Exception {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca",
        x509.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificates.ca))));
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore identity = KeyStore.getInstance("PKCS12");
    identity.load(null, null);
    if (certificate.isPresent()) {
      String pem = Files.readString(key.orElseThrow()).replaceAll("-----[A-Z ]+-----", "");
      identity.setKeyEntry("client", KeyFactory.getInstance("EC").generatePrivate(
              new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem))), new char[0],
          new Certificate[] {x509.generateCertificate(
              new ByteArrayInputStream(Files.readAllBytes(certificate.get())))});
    }
    keys.init(identity, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static HttpResponse<String> scrape(HttpClient http, String scheme, RunningServer gantry,
      Optional<String> token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
        scheme + "://127.0.0.1:" + gantry.server.metricsPort() + "/metrics"))
        .timeout(Duration.ofSeconds(20));
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub as(
      RunningServer gantry, String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return gantry.blocking.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static Status refusal(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus();
  }

  @Test
  void tlsServesClientsThatTrustItsAuthorityAndNobodyElse() throws Exception {
    try (RunningServer gantry = serve(tls(false), ModelControlMode.NONE)) {
      try (InferenceClient trusting = client(gantry).trustCertificates(certificates.ca).build()) {
        assertTrue(trusting.isServerLive());
        assertEquals(2f, trusting.infer(simple()).output("OUTPUT0").asFloats()[0]);
      }
      try (InferenceClient plaintext = client(gantry).build()) {
        assertEquals(Status.Code.UNAVAILABLE, failure(plaintext));
      }
      try (InferenceClient wrongAuthority =
          client(gantry).trustCertificates(certificates.otherCa).build()) {
        assertEquals(Status.Code.UNAVAILABLE, failure(wrongAuthority));
      }
      HttpResponse<String> metrics = scrape(https(Optional.empty(), Optional.empty()), "https",
          gantry, Optional.empty());
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("gantry_grpc_calls_total"), "metrics over HTTPS");
      assertThrows(IOException.class,
          () -> scrape(HttpClient.newHttpClient(), "http", gantry, Optional.empty()));
    }
  }

  @Test
  void mutualTlsServesOnlyClientsWithACertificateFromTheClientAuthority() throws Exception {
    try (RunningServer gantry = serve(tls(true), ModelControlMode.NONE)) {
      try (InferenceClient known = client(gantry).trustCertificates(certificates.ca)
          .clientCertificate(certificates.clientCertificate, certificates.clientKey).build()) {
        assertTrue(known.isServerLive());
        assertEquals(2f, known.infer(simple()).output("OUTPUT0").asFloats()[0]);
      }
      try (InferenceClient anonymous = client(gantry).trustCertificates(certificates.ca).build()) {
        assertEquals(Status.Code.UNAVAILABLE, failure(anonymous));
      }
      try (InferenceClient intruder = client(gantry).trustCertificates(certificates.ca)
          .clientCertificate(certificates.otherClientCertificate, certificates.otherClientKey)
          .build()) {
        assertEquals(Status.Code.UNAVAILABLE, failure(intruder));
      }
      assertEquals(200, scrape(https(Optional.of(certificates.clientCertificate),
          Optional.of(certificates.clientKey)), "https", gantry, Optional.empty()).statusCode());
      assertThrows(IOException.class, () -> scrape(https(Optional.empty(), Optional.empty()),
          "https", gantry, Optional.empty()));
      assertThrows(IOException.class, () -> scrape(
          https(Optional.of(certificates.otherClientCertificate),
              Optional.of(certificates.otherClientKey)), "https", gantry, Optional.empty()));
    }
  }

  @Test
  void tokensGateEveryMethodButTheProbesByRole() throws Exception {
    try (RunningServer gantry = serve(new SecurityOptions(Optional.empty(), tokens(), false),
        ModelControlMode.EXPLICIT)) {
      assertTrue(gantry.blocking.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
      assertTrue(gantry.blocking.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(
          gantry.channel).check(HealthCheckRequest.getDefaultInstance()).getStatus());

      Status missing = refusal(() -> gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 1, 1)));
      assertEquals(Status.Code.UNAUTHENTICATED, missing.getCode());
      assertEquals("ModelInfer needs an access token: send the header 'authorization: Bearer "
          + "<token>'", missing.getDescription());
      Status unknown = refusal(() -> as(gantry, "Bearer not-a-token-of-this-server")
          .modelMetadata(ModelMetadataRequest.newBuilder().setName("simple").build()));
      assertEquals(Status.Code.UNAUTHENTICATED, unknown.getCode());
      assertEquals("the access token is not valid", unknown.getDescription());
      Status basic = refusal(() -> as(gantry, "Basic " + INFERENCE_TOKEN)
          .modelMetadata(ModelMetadataRequest.newBuilder().setName("simple").build()));
      assertEquals(Status.Code.UNAUTHENTICATED, basic.getCode());
      assertFalse(basic.getDescription().contains(INFERENCE_TOKEN), "tokens are never echoed");

      var inference = as(gantry, "Bearer " + INFERENCE_TOKEN);
      assertEquals(2, inference.modelInfer(Tensors.addSub("simple", 1, 1, 1))
          .getRawOutputContentsCount());
      assertEquals("simple", inference.modelMetadata(
          ModelMetadataRequest.newBuilder().setName("simple").build()).getName());
      assertFalse(inference.repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
          .getModelsList().isEmpty());
      Status denied = refusal(() -> inference.repositoryModelUnload(
          RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build()));
      assertEquals(Status.Code.PERMISSION_DENIED, denied.getCode());
      assertEquals("RepositoryModelUnload needs the admin role; this token has the inference role",
          denied.getDescription());
      assertEquals(Status.Code.PERMISSION_DENIED, refusal(() -> inference.logSettings(
          LogSettingsRequest.getDefaultInstance())).getCode());

      var admin = as(gantry, "bearer   " + ADMIN_TOKEN);
      admin.repositoryModelUnload(
          RepositoryModelUnloadRequest.newBuilder().setModelName("identity_fp32").build());
      as(gantry, "Bearer " + ENV_ADMIN_TOKEN).repositoryModelLoad(
          RepositoryModelLoadRequest.newBuilder().setModelName("identity_fp32").build());
      assertTrue(admin.logSettings(LogSettingsRequest.getDefaultInstance()).getSettingsCount() > 0);
      assertEquals(2, admin.modelInfer(Tensors.addSub("simple", 1, 1, 1))
          .getRawOutputContentsCount());

      assertEquals(Status.Code.UNAUTHENTICATED, reflection(gantry, Optional.empty()));
      assertEquals(Status.Code.OK, reflection(gantry, Optional.of(INFERENCE_TOKEN)));

      HttpResponse<String> anonymousScrape =
          scrape(HttpClient.newHttpClient(), "http", gantry, Optional.empty());
      assertEquals(401, anonymousScrape.statusCode());
      assertEquals(Optional.of("Bearer realm=\"gantry\""),
          anonymousScrape.headers().firstValue("WWW-Authenticate"));
      HttpResponse<String> scrape = scrape(HttpClient.newHttpClient(), "http", gantry,
          Optional.of(INFERENCE_TOKEN));
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.body().contains(
          "gantry_grpc_calls_total{code=\"UNAUTHENTICATED\",method=\"ModelInfer\"} 1"),
          "refused calls are counted");
      assertTrue(scrape.body().contains(
          "gantry_grpc_calls_total{code=\"PERMISSION_DENIED\",method=\"RepositoryModelUnload\"} 1"));
    }
  }

  /** Lists services by reflection, with or without a token; the call's status code. */
  private static Status.Code reflection(RunningServer gantry, Optional<String> token)
      throws Exception {
    Metadata headers = new Metadata();
    token.ifPresent(t -> headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + t));
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(gantry.channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse response) {
            answer.complete(response);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    try {
      answer.get(20, TimeUnit.SECONDS);
      return Status.Code.OK;
    } catch (ExecutionException e) {
      return Status.fromThrowable(e.getCause()).getCode();
    }
  }

  @Test
  void tlsAndTokensTogetherThroughTheClientLibrary() throws Exception {
    SecurityOptions both = new SecurityOptions(tls(true).tls(), tokens(), false);
    try (RunningServer gantry = serve(both, ModelControlMode.NONE);
        InferenceClient client = client(gantry).trustCertificates(certificates.ca)
            .clientCertificate(certificates.clientCertificate, certificates.clientKey)
            .bearerToken(INFERENCE_TOKEN).build();
        InferenceClient tokenless = client(gantry).trustCertificates(certificates.ca)
            .clientCertificate(certificates.clientCertificate, certificates.clientKey).build()) {
      assertEquals(2f, client.infer(simple()).output("OUTPUT0").asFloats()[0]);
      try (var stream = client.openStream()) {
        assertEquals(2f, stream.send(simple()).get(20, TimeUnit.SECONDS)
            .output("OUTPUT0").asFloats()[0]);
      }
      assertTrue(tokenless.isServerLive(), "probes need no token");
      InferenceClientException refused =
          assertThrows(InferenceClientException.class, () -> tokenless.infer(simple()));
      assertEquals(Status.Code.UNAUTHENTICATED, refused.code());
      assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(InferenceClientException.class,
          () -> client.unloadModel("simple")).code());
    }
  }

  @Test
  void theHttpApiSharesTlsAndTokens() throws Exception {
    SecurityOptions both = new SecurityOptions(tls(true).tls(), tokens(), false);
    try (RunningServer gantry = new RunningServer(ServerOptions.forRepositories(repository)
        .withSecurity(both).withHttp(new HttpOptions(0, HttpOptions.DEFAULT_BODY_TIMEOUT)))) {
      HttpClient http = https(Optional.of(certificates.clientCertificate),
          Optional.of(certificates.clientKey));
      String base = "https://127.0.0.1:" + gantry.server.httpPort();
      assertEquals(200, httpCall(http, base + "/v2/health/ready", null, Optional.empty())
          .statusCode(), "probes need no token");
      HttpResponse<String> tokenless =
          httpCall(http, base + "/v2/models/simple", null, Optional.empty());
      assertEquals(401, tokenless.statusCode());
      assertEquals("Bearer realm=\"gantry\"",
          tokenless.headers().firstValue("WWW-Authenticate").orElseThrow());
      assertEquals(200, httpCall(http, base + "/v2/models/simple", null,
          Optional.of(INFERENCE_TOKEN)).statusCode());
      HttpResponse<String> unload = httpCall(http, base + "/v2/repository/models/simple/unload",
          "", Optional.of(INFERENCE_TOKEN));
      assertEquals(403, unload.statusCode());
      assertEquals("RepositoryModelUnload needs the admin role; this token has the inference role",
          JsonParser.parseString(unload.body()).getAsJsonObject().get("error").getAsString());
      assertThrows(IOException.class, () -> https(Optional.empty(), Optional.empty()).send(
          HttpRequest.newBuilder(URI.create(base + "/v2/health/live")).build(),
          HttpResponse.BodyHandlers.ofString()), "mutual TLS: no client certificate, no call");
    }
  }

  private static HttpResponse<String> httpCall(
      HttpClient http, String url, String postBody, Optional<String> token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(20));
    if (postBody != null) {
      request.POST(HttpRequest.BodyPublishers.ofString(postBody));
    }
    token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void streamsNeedATokenToo() throws Exception {
    try (RunningServer gantry = serve(new SecurityOptions(Optional.empty(), tokens(), false),
        ModelControlMode.NONE)) {
      CompletableFuture<ModelStreamInferResponse> answer = new CompletableFuture<>();
      var requests = gantry.async.modelStreamInfer(new StreamObserver<>() {
        @Override
        public void onNext(ModelStreamInferResponse response) {
          answer.complete(response);
        }

        @Override
        public void onError(Throwable t) {
          answer.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {}
      });
      requests.onNext(Tensors.addSub("simple", 1, 1, 1));
      requests.onCompleted();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> answer.get(20, TimeUnit.SECONDS));
      assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(e.getCause()).getCode());
    }
  }

  @Test
  void repositoryRpcsCanBeTurnedOffForEveryone() throws Exception {
    try (RunningServer gantry = serve(new SecurityOptions(Optional.empty(), tokens(), true),
        ModelControlMode.EXPLICIT)) {
      var admin = as(gantry, "Bearer " + ADMIN_TOKEN);
      Status load = refusal(() -> admin.repositoryModelLoad(
          RepositoryModelLoadRequest.newBuilder().setModelName("simple").build()));
      assertEquals(Status.Code.UNIMPLEMENTED, load.getCode());
      assertEquals("RepositoryModelLoad is disabled on this server (--disable-repository-rpcs)",
          load.getDescription());
      assertEquals(Status.Code.UNIMPLEMENTED, refusal(() -> admin.repositoryModelUnload(
          RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build())).getCode());
      assertFalse(admin.repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
          .getModelsList().isEmpty(), "the index stays available");
      assertEquals(2, admin.modelInfer(Tensors.addSub("simple", 1, 1, 1))
          .getRawOutputContentsCount());
    }
  }

  @Test
  void badPemFilesAreRefusedAtStartWithTheFileAndTheProblem() throws Exception {
    IllegalArgumentException mismatched = assertThrows(IllegalArgumentException.class,
        () -> TlsContext.fromPem(certificates.serverCertificate, certificates.clientKey,
            Optional.empty()));
    assertTrue(mismatched.getMessage().contains("does not belong to the first certificate"),
        mismatched.getMessage());
    Path pkcs1 = TestCertificates.pem(directory.resolve("rsa.key"), "RSA PRIVATE KEY",
        new byte[] {1, 2, 3});
    IllegalArgumentException legacy = assertThrows(IllegalArgumentException.class,
        () -> TlsContext.fromPem(certificates.serverCertificate, pkcs1, Optional.empty()));
    assertTrue(legacy.getMessage().contains("'RSA PRIVATE KEY' block; Gantry reads unencrypted "
        + "PKCS#8 keys"), legacy.getMessage());
    IllegalArgumentException notCertificates = assertThrows(IllegalArgumentException.class,
        () -> TlsContext.fromPem(certificates.serverKey, certificates.serverKey, Optional.empty()));
    assertTrue(notCertificates.getMessage().startsWith("--grpc-tls-cert"),
        notCertificates.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> TlsContext.fromPem(certificates.serverCertificate, directory.resolve("nope.key"),
            Optional.empty()));
    assertTrue(missing.getMessage().contains("cannot read it (NoSuchFileException)"),
        missing.getMessage());
  }
}
