package dev.gantry.server.security;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server's TLS identity, read once from PEM files, and the one place both endpoints get their
 * TLS from: the gRPC port ({@link #grpcCredentials()}) and the metrics HTTPS endpoint ({@link
 * #httpsConfigurator()}). With a client CA, both require a client certificate signed by it
 * (mutual TLS).
 *
 * <p>Reading the files here, rather than handing their names to gRPC, lets start-up fail with a
 * message naming the file and what is wrong with it (a key that is not PKCS#8, a key that does not
 * belong to the certificate) instead of a handshake failure on the first call.
 */
public final class TlsContext {
  private static final Pattern PEM_BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private final KeyManager[] keyManagers;
  private final TrustManager[] trustManagers;
  private final String subject;

  private TlsContext(KeyManager[] keyManagers, TrustManager[] trustManagers, String subject) {
    this.keyManagers = keyManagers;
    this.trustManagers = trustManagers;
    this.subject = subject;
  }

  /**
   * Reads the server's certificate chain and private key, and optionally the certificate
   * authorities whose client certificates are accepted.
   *
   * @param certificateChain PEM certificates, the server's first
   * @param privateKey the server's unencrypted PKCS#8 PEM private key ({@code BEGIN PRIVATE KEY})
   * @param clientCa PEM certificates of the authorities that sign client certificates; when
   *     present, clients must present one
   * @throws IllegalArgumentException naming the file and the problem
   */
  public static TlsContext fromPem(Path certificateChain, Path privateKey, Optional<Path> clientCa) {
    List<X509Certificate> chain = certificates(certificateChain, "--grpc-tls-cert");
    PrivateKey key = privateKey(privateKey, chain.get(0));
    checkPair(key, chain.get(0), privateKey);
    try {
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      identity.setKeyEntry("gantry", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(identity, NO_PASSWORD);
      TrustManager[] trust = null;
      if (clientCa.isPresent()) {
        KeyStore authorities = KeyStore.getInstance("PKCS12");
        authorities.load(null, null);
        List<X509Certificate> cas = certificates(clientCa.get(), "--grpc-tls-ca");
        for (int i = 0; i < cas.size(); i++) {
          authorities.setCertificateEntry("client-ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(authorities);
        trust = factory.getTrustManagers();
      }
      return new TlsContext(keys.getKeyManagers(), trust,
          chain.get(0).getSubjectX500Principal().getName());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** Whether clients must present a certificate signed by the client CA. */
  public boolean requiresClientCertificates() {
    return trustManagers != null;
  }

  /** The subject of the server's certificate, for the log. */
  public String subject() {
    return subject;
  }

  /** TLS for the gRPC port; mutual when a client CA was given. */
  public ServerCredentials grpcCredentials() {
    TlsServerCredentials.Builder credentials =
        TlsServerCredentials.newBuilder().keyManager(keyManagers);
    if (trustManagers != null) {
      credentials.trustManager(trustManagers).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return credentials.build();
  }

  /** TLS for the HTTP/REST port, with the same certificate and client requirement. */
  public SslContext nettySslContext() {
    SslContextBuilder builder = SslContextBuilder.forServer(keyManagers[0]);
    if (trustManagers != null) {
      builder.trustManager(trustManagers[0]).clientAuth(ClientAuth.REQUIRE);
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
    }
  }

  /** TLS for the metrics HTTP server, with the same certificate and client requirement. */
  public HttpsConfigurator httpsConfigurator() {
    SSLContext context;
    try {
      context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers, new SecureRandom());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
    }
    boolean needClientAuth = requiresClientCertificates();
    return new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters parameters) {
        SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
        ssl.setNeedClientAuth(needClientAuth);
        parameters.setSSLParameters(ssl);
      }
    };
  }

  private static List<X509Certificate> certificates(Path file, String option) {
    byte[] pem = read(file, option);
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Certificate certificate : factory.generateCertificates(new ByteArrayInputStream(pem))) {
        certificates.add((X509Certificate) certificate);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          option + " " + file + ": not PEM certificates (" + e.getMessage() + ")", e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(option + " " + file + ": holds no PEM certificate");
    }
    return certificates;
  }

  private static PrivateKey privateKey(Path file, X509Certificate certificate) {
    String pem = new String(read(file, "--grpc-tls-key"), StandardCharsets.US_ASCII);
    Matcher block = PEM_BLOCK.matcher(pem);
    if (!block.find()) {
      throw new IllegalArgumentException("--grpc-tls-key " + file + ": holds no PEM block");
    }
    if (!block.group(1).equals("PRIVATE KEY")) {
      throw new IllegalArgumentException("--grpc-tls-key " + file + ": a '" + block.group(1)
          + "' block; Gantry reads unencrypted PKCS#8 keys ('PRIVATE KEY'), convert with "
          + "'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
    }
    String algorithm = certificate.getPublicKey().getAlgorithm();
    try {
      byte[] der = Base64.getMimeDecoder().decode(block.group(2));
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("--grpc-tls-key " + file + ": not a PKCS#8 " + algorithm
          + " private key matching the certificate (" + e.getMessage() + ")", e);
    }
  }

  /** Signs with the key and verifies with the certificate, so that a mismatched pair fails now. */
  private static void checkPair(PrivateKey key, X509Certificate certificate, Path keyFile) {
    String algorithm = switch (certificate.getPublicKey().getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> certificate.getPublicKey().getAlgorithm();
    };
    byte[] probe = "gantry".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      signer.initVerify(certificate.getPublicKey());
      signer.update(probe);
      matches = signer.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("--grpc-tls-key " + keyFile + ": cannot be used with the "
          + "certificate in --grpc-tls-cert (" + e.getMessage() + ")", e);
    }
    if (!matches) {
      throw new IllegalArgumentException("--grpc-tls-key " + keyFile
          + ": does not belong to the first certificate of --grpc-tls-cert");
    }
  }

  private static byte[] read(Path file, String option) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + file + ": cannot read it ("
          + e.getClass().getSimpleName() + ")", e);
    }
  }
}
