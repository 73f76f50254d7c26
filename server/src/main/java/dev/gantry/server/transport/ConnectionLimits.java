package dev.gantry.server.transport;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What one client connection may hold of the gRPC port, so that clients cannot use up the
 * server's file descriptors or memory by opening connections and doing nothing with them.
 *
 * @param maxConnections the most connections open at once; more are closed when accepted
 * @param firstRequestTimeout how long a new connection has to complete its handshake and the
 *     HEADERS of its first request before it is closed
 * @param maxConnectionIdle how long a connection may go without a call in progress before the
 *     server ends it (GOAWAY; the client reconnects when it needs to)
 * @param permitKeepAliveTime the shortest interval between a client's keepalive pings the server
 *     accepts; a client pinging more often is disconnected
 * @param permitKeepAliveWithoutCalls whether clients may ping while they have no call in progress
 * @param maxConcurrentStreams the most calls one connection may have open at once (HTTP/2's
 *     SETTINGS_MAX_CONCURRENT_STREAMS); a client wanting more waits for one to end
 */
public record ConnectionLimits(
    int maxConnections,
    Duration firstRequestTimeout,
    Duration maxConnectionIdle,
    Duration permitKeepAliveTime,
    boolean permitKeepAliveWithoutCalls,
    int maxConcurrentStreams) {

  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  public static final Duration DEFAULT_FIRST_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_MAX_CONNECTION_IDLE = Duration.ofMinutes(5);
  public static final Duration DEFAULT_PERMIT_KEEPALIVE_TIME = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 256;

  public ConnectionLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("--max-connections must be at least 1");
    }
    if (firstRequestTimeout.isNegative() || firstRequestTimeout.isZero()) {
      throw new IllegalArgumentException("--grpc-first-request-timeout-secs must be at least 1");
    }
    if (maxConnectionIdle.isNegative() || maxConnectionIdle.isZero()) {
      throw new IllegalArgumentException("--grpc-max-connection-idle-secs must be at least 1");
    }
    if (maxConcurrentStreams < 1) {
      throw new IllegalArgumentException("--grpc-max-concurrent-streams must be at least 1");
    }
    if (permitKeepAliveTime.isNegative()) {
      throw new IllegalArgumentException("--grpc-permit-keepalive-time-secs must be 0 or more");
    }
  }

  /** The defaults, which suit a server behind a load balancer or called by a few hundred clients. */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_FIRST_REQUEST_TIMEOUT,
        DEFAULT_MAX_CONNECTION_IDLE, DEFAULT_PERMIT_KEEPALIVE_TIME, false,
        DEFAULT_MAX_CONCURRENT_STREAMS);
  }

  /**
   * A gRPC server builder on {@code address} with {@code credentials} (plaintext or TLS) whose
   * connections obey these limits: {@code limiter} and a {@link FirstRequestDeadline} go in front
   * of gRPC's own handlers on every accepted connection, and the idle and keepalive limits are
   * gRPC's. gRPC's per-request warning about refused messages is throttled ({@link
   * RefusedMessageLog}).
   */
  public NettyServerBuilder serverBuilder(
      SocketAddress address, ServerCredentials credentials, ConnectionLimiter limiter) {
    RefusedMessageLog.install();
    return NettyServerBuilder.forAddress(address, guarded(credentials, limiter))
        .maxConnectionIdle(maxConnectionIdle.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(permitKeepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(permitKeepAliveWithoutCalls)
        .maxConcurrentCallsPerConnection(maxConcurrentStreams);
  }

  /**
   * The credentials' own negotiation (plaintext HTTP/2 or TLS), with the guards installed in
   * front of it. grpc-java offers no hook for plaintext handshake timeouts; its protocol
   * negotiator is where a connection's pipeline is built, so the guards go in there.
   */
  private ServerCredentials guarded(ServerCredentials credentials, ConnectionLimiter limiter) {
    InternalProtocolNegotiator.ServerFactory negotiators =
        InternalNettyServerCredentials.toNegotiator(credentials);
    return InternalNettyServerCredentials.create(executors -> {
      InternalProtocolNegotiator.ProtocolNegotiator negotiator =
          negotiators.newNegotiator(executors);
      return new InternalProtocolNegotiator.ProtocolNegotiator() {
        @Override
        public AsciiString scheme() {
          return negotiator.scheme();
        }

        @Override
        public ChannelHandler newHandler(
            GrpcHttp2ConnectionHandler grpcHandler) {
          return new Guards(limiter, new FirstRequestDeadline(firstRequestTimeout),
              negotiator.newHandler(grpcHandler));
        }

        @Override
        public void close() {
          negotiator.close();
        }
      };
    });
  }

  /** Puts the guards and then the negotiation in its own place in a new connection's pipeline. */
  private static final class Guards extends ChannelHandlerAdapter {
    private final ChannelHandler[] handlers;

    Guards(ChannelHandler... handlers) {
      this.handlers = handlers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      for (int i = handlers.length - 1; i >= 0; i--) {
        ctx.pipeline().addAfter(ctx.name(), null, handlers[i]);
      }
      ctx.pipeline().remove(this);
    }
  }
}
