package dev.gantry.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gives a request's body a time limit from the moment its headers arrive: a client that sends
 * its body too slowly (or stops) gets 408 and the connection is closed, so that it holds neither
 * a buffer nor a connection slot for long. Other connections are not affected.
 */
final class BodyDeadline extends ChannelInboundHandlerAdapter {
  private final Duration timeout;
  private ScheduledFuture<?> timer;
  private boolean expired;

  BodyDeadline(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (expired) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof HttpRequest && !(message instanceof LastHttpContent) && timer == null) {
      timer = ctx.executor().schedule(() -> expire(ctx), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (message instanceof LastHttpContent) {
      disarm();
    }
    ctx.fireChannelRead(message);
  }

  private void expire(ChannelHandlerContext ctx) {
    expired = true;
    HttpAnswer answer = HttpAnswer.error(HttpResponseStatus.REQUEST_TIMEOUT,
        "the request body did not arrive within " + timeout.toSeconds()
            + " s (--http-body-timeout-secs)");
    answer.writeAndClose(ctx);
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    ctx.fireChannelInactive();
  }
}
