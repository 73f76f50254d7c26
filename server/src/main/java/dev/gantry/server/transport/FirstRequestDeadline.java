package dev.gantry.server.transport;

import dev.gantry.server.logging.ThrottledLog;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP/2 connection whose client has not completed its first request (the connection
 * preface, the TLS handshake if any, and the HEADERS of one stream) within a deadline. gRPC's
 * own idle and keepalive timers only start once HTTP/2 is set up, so without this a client that
 * connects and sends nothing, only the preface, or half a HEADERS frame would hold its
 * connection (and a file descriptor) for ever.
 *
 * <p>One instance per connection, installed in front of gRPC's handlers. At the deadline it
 * looks at the connection's HTTP/2 state: if the client has opened a stream the handler just
 * removes itself, otherwise it sends GOAWAY naming no stream (so that a client whose request was
 * on its way retries it on a new connection) and closes the connection from its own place in the
 * pipeline, in front of gRPC's handler, whose graceful shutdown would wait for the client.
 */
final class FirstRequestDeadline extends ChannelHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FirstRequestDeadline.class);
  private static final ThrottledLog closures = new ThrottledLog(log, Duration.ofSeconds(10));

  private final Duration timeout;

  FirstRequestDeadline(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    var check = ctx.executor().schedule(
        () -> check(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
    ctx.channel().closeFuture().addListener(closed -> check.cancel(false));
  }

  private void check(ChannelHandlerContext ctx) {
    if (ctx.isRemoved()) {
      return;
    }
    Http2ConnectionHandler http2 = ctx.pipeline().get(Http2ConnectionHandler.class);
    if (http2 != null && http2.connection().remote().lastStreamCreated() != 0) {
      ctx.pipeline().remove(this);
      return;
    }
    closures.warn("closed the connection from " + ctx.channel().remoteAddress()
        + ": no request within " + timeout.toMillis() + " ms of connecting");
    if (http2 == null) {
      ctx.close();
      return;
    }
    ChannelHandlerContext http2Context = ctx.pipeline().context(http2);
    http2.goAway(http2Context, 0, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
        http2Context.newPromise()).addListener(sent -> ctx.close());
    http2Context.flush();
  }
}
