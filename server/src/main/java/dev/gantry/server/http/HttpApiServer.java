package dev.gantry.server.http;

import dev.gantry.server.logging.ThrottledLog;
import io.grpc.Channel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The KServe v2 HTTP/REST API on its own Netty port, beside gRPC: TLS when the server has it,
 * request bodies decompressed and bounded, responses compressed when the client accepts it, one
 * {@link HttpConnection} per connection. Every request becomes a call on the server's in-process
 * gRPC channel ({@link HttpEndpoints}), so the two ports share every rule.
 */
public final class HttpApiServer {
  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger unanswered = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final ThrottledLog refusals =
      new ThrottledLog(LoggerFactory.getLogger(HttpApiServer.class), Duration.ofSeconds(10));
  private final io.netty.channel.Channel listener;

  private HttpApiServer(
      String host, HttpOptions options, HttpLimits limits, Optional<SslContext> tls,
      Channel calls) throws InterruptedException {
    acceptor = new MultiThreadIoEventLoopGroup(
        1, new DefaultThreadFactory("gantry-http-accept"), NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(
        Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("gantry-http"),
        NioIoHandler.newFactory());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(acceptor, workers)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            if (open.incrementAndGet() > limits.maxConnections()) {
              open.decrementAndGet();
              refusals.warn("refused an HTTP connection from " + channel.remoteAddress() + ": "
                  + limits.maxConnections() + " are open, the limit (--max-connections)");
              channel.close();
              return;
            }
            channel.closeFuture().addListener(closed -> open.decrementAndGet());
            connections.add(channel);
            ChannelPipeline pipeline = channel.pipeline();
            tls.ifPresent(context -> pipeline.addLast(context.newHandler(channel.alloc())));
            pipeline.addLast(new IdleStateHandler(true, 0, 0,
                limits.maxIdle().toMillis(), TimeUnit.MILLISECONDS));
            RequestDeadline deadline =
                new RequestDeadline(limits.firstRequestTimeout(), options.bodyTimeout());
            pipeline.addLast(deadline.firstBytes());
            pipeline.addLast(new HttpServerCodec());
            pipeline.addLast(new HttpContentCompressor());
            pipeline.addLast(deadline);
            pipeline.addLast(new HttpContentDecompressor(0));
            pipeline.addLast(new BodyLimit(limits.maxBodyBytes()));
            pipeline.addLast(new HttpConnection(
                new HttpEndpoints(calls, channel.eventLoop()), unanswered));
          }
        });
    try {
      listener = bootstrap.bind(new InetSocketAddress(host, options.port())).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * The bounds of the port, shared with the gRPC port's options.
   *
   * @param maxBodyBytes the largest request body, after decompression ({@code --max-message-size})
   * @param maxConnections the most connections open at once ({@code --max-connections})
   * @param firstRequestTimeout how long a new connection may take to send its first whole request
   *     ({@code --grpc-first-request-timeout-secs})
   * @param maxIdle how long a connection may stay open with nothing read, written or unanswered
   *     ({@code --grpc-max-connection-idle-secs})
   */
  public record HttpLimits(
      int maxBodyBytes, int maxConnections, Duration firstRequestTimeout, Duration maxIdle) {}

  /**
   * Opens the port.
   *
   * @param calls the channel every request is called on
   * @throws IOException when the port cannot be opened, naming it
   */
  public static HttpApiServer start(
      String host, HttpOptions options, HttpLimits limits, Optional<SslContext> tls, Channel calls)
      throws IOException {
    try {
      return new HttpApiServer(host, options, limits, tls, calls);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while opening the HTTP port", e);
    } catch (Exception e) {
      throw new IOException("cannot open the HTTP port " + host + ":" + options.port()
          + " (--http-port): " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Stops taking connections; open ones keep being answered. */
  public void stopAccepting() {
    listener.close().syncUninterruptibly();
  }

  /**
   * Waits until every request read has been answered or the deadline passes, then closes every
   * connection and stops the threads.
   */
  public void close(long deadlineNanos) {
    while (unanswered.get() > 0 && System.nanoTime() < deadlineNanos) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
