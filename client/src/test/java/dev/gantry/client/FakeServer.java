package dev.gantry.client;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A {@link FakeInferenceService} served by Netty on a loopback port of its own. */
final class FakeServer implements AutoCloseable {
  final FakeInferenceService service = new FakeInferenceService();
  private final Server server;

  private FakeServer(ServerCredentials credentials) {
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
              .addService(ServerInterceptors.intercept(service, service.interceptor()))
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FakeServer plaintext() {
    return new FakeServer(InsecureServerCredentials.create());
  }

  static FakeServer secured(ServerCredentials credentials) {
    return new FakeServer(credentials);
  }

  int port() {
    return server.getPort();
  }

  /** The server's address as {@code host:port}. */
  String target() {
    return "127.0.0.1:" + port();
  }

  @Override
  public void close() {
    try {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      service.shutdown();
    }
  }
}
