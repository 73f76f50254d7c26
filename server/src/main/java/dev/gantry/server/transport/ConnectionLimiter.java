package dev.gantry.server.transport;

import dev.gantry.server.logging.ThrottledLog;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections a server port holds open at once, so that a client opening connections
 * without end cannot use up the process's file descriptors: a connection above the cap is closed
 * as soon as it is accepted, before anything is read from it, while the connections already open
 * are served as before.
 *
 * <p>One instance per port (or shared by several ports for one common cap), installed first in
 * each accepted channel's pipeline; it counts the channel until it closes and removes itself, so
 * it costs nothing per message. Any Netty server (of grpc-netty-shaded's Netty) can install it.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final ThrottledLog refusals = new ThrottledLog(log, Duration.ofSeconds(10));

  /** @param maxConnections the most connections open at once, at least 1 */
  public ConnectionLimiter(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("the connection cap must be at least 1");
    }
    this.maxConnections = maxConnections;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    ctx.pipeline().remove(this);
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refusals.warn("refused a connection from " + channel.remoteAddress() + ": "
          + maxConnections + " connections are open, the server's limit (--max-connections)");
      channel.close();
      return;
    }
    channel.closeFuture().addListener(closed -> open.decrementAndGet());
  }
}
