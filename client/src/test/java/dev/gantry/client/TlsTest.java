package dev.gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TlsTest {
  @TempDir static Path directory;
  private static TestCertificates certificates;

  @BeforeAll
  static void makeCertificates() throws GeneralSecurityException, IOException {
    certificates = TestCertificates.create(directory);
  }

  @Test
  void tls() throws IOException {
    try (FakeServer server =
            FakeServer.secured(serverCredentials(TlsServerCredentials.ClientAuth.NONE));
        InferenceClient client =
            InferenceClient.builder()
                .target(server.target())
                .trustCertificates(certificates.caCertificate)
                .build()) {
      assertTrue(client.isServerLive());
    }
  }

  @Test
  void tlsVerifiesTheHostNameOfEachTarget() throws IOException {
    try (FakeServer server =
            FakeServer.secured(serverCredentials(TlsServerCredentials.ClientAuth.NONE));
        InferenceClient client =
            InferenceClient.builder()
                .targets("localhost:" + server.port(), server.target())
                .trustCertificates(certificates.caCertificate)
                .retryPolicy(RetryPolicy.none())
                .build()) {
      assertTrue(client.isServerLive());
    }
  }

  @Test
  void tlsRejectsAServerCertificateForAnotherName() throws IOException {
    try (FakeServer server =
            FakeServer.secured(serverCredentials(TlsServerCredentials.ClientAuth.NONE));
        InferenceClient client =
            InferenceClient.builder()
                .target(server.target())
                .trustCertificates(certificates.caCertificate)
                .authority("inference.example.com")
                .retryPolicy(RetryPolicy.none())
                .build()) {
      InferenceClientException error =
          assertThrows(InferenceClientException.class, client::isServerLive);
      assertEquals(Status.Code.UNAVAILABLE, error.code());
    }
  }

  @Test
  void tlsRejectsAnUntrustedServer() throws IOException {
    try (FakeServer server =
            FakeServer.secured(serverCredentials(TlsServerCredentials.ClientAuth.NONE));
        InferenceClient client =
            InferenceClient.builder()
                .target(server.target())
                .trustCertificates(certificates.clientCertificate)
                .retryPolicy(RetryPolicy.none())
                .build()) {
      assertEquals(
          Status.Code.UNAVAILABLE,
          assertThrows(InferenceClientException.class, client::isServerLive).code());
    }
  }

  @Test
  void mutualTls() throws IOException {
    try (FakeServer server =
            FakeServer.secured(serverCredentials(TlsServerCredentials.ClientAuth.REQUIRE));
        InferenceClient client =
            InferenceClient.builder()
                .target(server.target())
                .trustCertificates(certificates.caCertificate)
                .clientCertificate(certificates.clientCertificate, certificates.clientKey)
                .build()) {
      assertTrue(client.isServerReady());
      assertEquals(
          1,
          client
              .infer(
                  InferRequest.builder("simple")
                      .input(InferInput.int32("INPUT0", new int[] {1}, 1))
                      .build())
              .output("OUTPUT0")
              .asInts()[0]);
    }
  }

  @Test
  void mutualTlsRejectsAClientWithoutCertificate() throws IOException {
    try (FakeServer server =
            FakeServer.secured(serverCredentials(TlsServerCredentials.ClientAuth.REQUIRE));
        InferenceClient client =
            InferenceClient.builder()
                .target(server.target())
                .trustCertificates(certificates.caCertificate)
                .retryPolicy(RetryPolicy.none())
                .build()) {
      InferenceClientException error =
          assertThrows(InferenceClientException.class, client::isServerReady);
      assertEquals(Status.Code.UNAVAILABLE, error.code());
    }
  }

  @Test
  void unreadableCertificatesFailTheBuild() {
    assertThrows(
        UncheckedIOException.class,
        () ->
            InferenceClient.builder()
                .target("127.0.0.1:1")
                .trustCertificates(directory.resolve("missing.pem"))
                .build());
  }

  private static ServerCredentials serverCredentials(TlsServerCredentials.ClientAuth clientAuth)
      throws IOException {
    return TlsServerCredentials.newBuilder()
        .keyManager(certificates.serverCertificate.toFile(), certificates.serverKey.toFile())
        .trustManager(certificates.caCertificate.toFile())
        .clientAuth(clientAuth)
        .build();
  }
}
