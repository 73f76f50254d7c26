package dev.gantry.server.e2e;

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
 * PEM files for one test run, as an operator would hand them to the server: an authority, a
 * server certificate for {@code localhost} and {@code 127.0.0.1} with its key, a client
 * certificate signed by the same authority, and a second, unrelated authority with a client
 * certificate of its own, which the server must refuse.
 */
final class TestCertificates {
  private static final AtomicLong SERIALS = new AtomicLong(1);

  final Path ca;
  final Path serverCertificate;
  final Path serverKey;
  final Path clientCertificate;
  final Path clientKey;
  final Path otherCa;
  final Path otherClientCertificate;
  final Path otherClientKey;

  private TestCertificates(Path directory) throws GeneralSecurityException, IOException {
    Authority authority = new Authority("Gantry Test CA");
    ca = pem(directory.resolve("ca.pem"), "CERTIFICATE", authority.certificate.getEncoded());
    KeyPair serverKeys = keyPair();
    X509v3CertificateBuilder server =
        authority.issue(new X500Name("CN=localhost"), serverKeys, KeyPurposeId.id_kp_serverAuth);
    server.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
        new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
    serverCertificate = pem(directory.resolve("server.pem"), "CERTIFICATE",
        authority.sign(server).getEncoded());
    serverKey = key(directory.resolve("server.key"), serverKeys.getPrivate());
    KeyPair clientKeys = keyPair();
    clientCertificate = pem(directory.resolve("client.pem"), "CERTIFICATE", authority.sign(
        authority.issue(new X500Name("CN=client"), clientKeys, KeyPurposeId.id_kp_clientAuth))
        .getEncoded());
    clientKey = key(directory.resolve("client.key"), clientKeys.getPrivate());

    Authority other = new Authority("Unrelated CA");
    otherCa = pem(directory.resolve("other-ca.pem"), "CERTIFICATE",
        other.certificate.getEncoded());
    KeyPair otherKeys = keyPair();
    otherClientCertificate = pem(directory.resolve("other-client.pem"), "CERTIFICATE",
        other.sign(other.issue(new X500Name("CN=intruder"), otherKeys,
            KeyPurposeId.id_kp_clientAuth)).getEncoded());
    otherClientKey = key(directory.resolve("other-client.key"), otherKeys.getPrivate());
  }

  static TestCertificates create(Path directory) throws GeneralSecurityException, IOException {
    return new TestCertificates(directory);
  }

  /** A self-signed authority that issues certificates. */
  private static final class Authority {
    final KeyPair keys = keyPair();
    final X500Name name;
    final X509Certificate certificate;

    Authority(String commonName) throws GeneralSecurityException {
      name = new X500Name("CN=" + commonName);
      X509v3CertificateBuilder self = builder(name, name, keys);
      try {
        self.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        self.addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } catch (IOException e) {
        throw new GeneralSecurityException(e);
      }
      certificate = sign(self);
    }

    X509v3CertificateBuilder issue(X500Name subject, KeyPair subjectKeys, KeyPurposeId purpose)
        throws IOException {
      X509v3CertificateBuilder builder = builder(name, subject, subjectKeys);
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      return builder;
    }

    X509Certificate sign(X509v3CertificateBuilder builder) throws GeneralSecurityException {
      try {
        return new JcaX509CertificateConverter().getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      } catch (OperatorCreationException e) {
        throw new GeneralSecurityException(e);
      }
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.getAndIncrement()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
        subject, keys.getPublic());
  }

  private static Path key(Path file, PrivateKey key) throws IOException {
    return pem(file, "PRIVATE KEY", key.getEncoded());
  }

  /** Writes DER bytes as a PEM block of the given type. */
  static Path pem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return Files.writeString(file,
        "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
        StandardCharsets.US_ASCII);
  }
}
