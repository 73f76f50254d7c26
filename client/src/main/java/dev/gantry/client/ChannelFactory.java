package dev.gantry.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverRegistry;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Opens the channel a client owns, from the transport settings of its builder.
 *
 * <p>Holds those settings — where the servers are, plaintext or TLS, certificates, message size,
 * keepalive — apart from the call settings so that a client given a ready-made channel can reject
 * them.
 */
final class ChannelFactory {
  private static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 64 * 1024 * 1024;

  String target;
  List<Target> targets = List.of();
  boolean tls;
  Path trustCertificates;
  Path certificateChain;
  Path privateKey;
  String authority;
  int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
  Duration keepAliveTime;
  Duration keepAliveTimeout;
  Executor executor;

  /** Whether any setting differs from its default. */
  boolean isConfigured() {
    return target != null
        || !targets.isEmpty()
        || tls
        || authority != null
        || maxInboundMessageSize != DEFAULT_MAX_INBOUND_MESSAGE_SIZE
        || keepAliveTime != null
        || executor != null;
  }

  /**
   * Opens a channel; it connects lazily, on the first call.
   *
   * @throws UncheckedIOException if a certificate or key file cannot be read
   */
  ManagedChannel open() {
    ManagedChannelBuilder<?> builder;
    if (targets.size() > 1) {
      StaticTargetsResolverProvider provider = new StaticTargetsResolverProvider(targets);
      NameResolverRegistry registry = new NameResolverRegistry();
      registry.register(provider);
      builder = Grpc.newChannelBuilder(provider.channelTarget(), credentials(), registry);
    } else {
      String only = targets.isEmpty() ? target : targets.get(0).authority();
      builder = Grpc.newChannelBuilder(only, credentials());
    }
    builder.defaultLoadBalancingPolicy("round_robin").maxInboundMessageSize(maxInboundMessageSize);
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    if (keepAliveTime != null) {
      builder
          .keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (executor != null) {
      builder.executor(executor);
    }
    return builder.build();
  }

  private ChannelCredentials credentials() {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    try {
      if (trustCertificates != null) {
        credentials.trustManager(trustCertificates.toFile());
      }
      if (certificateChain != null) {
        credentials.keyManager(certificateChain.toFile(), privateKey.toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS certificates or key: " + e.getMessage(), e);
    }
    return credentials.build();
  }
}
