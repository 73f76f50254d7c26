package dev.gantry.client;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority, a server certificate for {@code localhost} and {@code 127.0.0.1} and a
 * client certificate, all made for one test run and written as PEM files.
 */
final class TestCertificates {
  private static final AtomicLong SERIALS = new AtomicLong(1);

  final Path caCertificate;
  final Path serverCertificate;
  final Path serverKey;
  final Path clientCertificate;
  final Path clientKey;

  private TestCertificates(Path directory) throws GeneralSecurityException, IOException {
    KeyPair caKeys = newKeyPair();
    X500Name caName = new X500Name("CN=Gantry Test CA");
    X509v3CertificateBuilder ca = builder(caName, caName, caKeys);
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ca.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    caCertificate = writeCertificate(directory.resolve("ca.pem"), sign(ca, caKeys.getPrivate()));

    KeyPair serverKeys = newKeyPair();
    X509v3CertificateBuilder server = builder(caName, new X500Name("CN=localhost"), serverKeys);
    server.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    server.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    serverCertificate =
        writeCertificate(directory.resolve("server.pem"), sign(server, caKeys.getPrivate()));
    serverKey = writeKey(directory.resolve("server.key"), serverKeys.getPrivate());

    KeyPair clientKeys = newKeyPair();
    X509v3CertificateBuilder client = builder(caName, new X500Name("CN=test-client"), clientKeys);
    client.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    clientCertificate =
        writeCertificate(directory.resolve("client.pem"), sign(client, caKeys.getPrivate()));
    clientKey = writeKey(directory.resolve("client.key"), clientKeys.getPrivate());
  }

  /** Makes the certificates and writes them into {@code directory}. */
  static TestCertificates create(Path directory) throws GeneralSecurityException, IOException {
    return new TestCertificates(directory);
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIALS.getAndIncrement()),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static Path writeCertificate(Path file, X509Certificate certificate)
      throws GeneralSecurityException, IOException {
    return writePem(file, "CERTIFICATE", certificate.getEncoded());
  }

  private static Path writeKey(Path file, PrivateKey key) throws IOException {
    return writePem(file, "PRIVATE KEY", key.getEncoded());
  }

  private static Path writePem(Path file, String type, byte[] der) throws IOException {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    return Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }
}
