package dev.gantry.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time limits on reading requests: a new connection must send its whole first request within
 * one limit, and every request's body must follow its headers within another. A client too slow
 * for either (or that stops, or never starts) gets 408 and the connection is closed, so that it
 * holds neither a buffer nor a connection slot for long. Other connections are not affected.
 */
final class BodyDeadline extends ChannelInboundHandlerAdapter {
  private final Duration firstRequest;
  private final Duration body;
  private ScheduledFuture<?> firstRequestTimer;
  private ScheduledFuture<?> bodyTimer;
  private boolean expired;

  BodyDeadline(Duration firstRequest, Duration body) {
    this.firstRequest = firstRequest;
    this.body = body;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    firstRequestTimer = ctx.executor().schedule(
        () -> expire(ctx, firstRequest, "--grpc-first-request-timeout-secs"),
        firstRequest.toMillis(), TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (expired) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof HttpRequest && !(message instanceof LastHttpContent)
        && bodyTimer == null) {
      bodyTimer = ctx.executor().schedule(() -> expire(ctx, body, "--http-body-timeout-secs"),
          body.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (message instanceof LastHttpContent) {
      firstRequestTimer = cancel(firstRequestTimer);
      bodyTimer = cancel(bodyTimer);
    }
    ctx.fireChannelRead(message);
  }

  /**
   * Answers 408 past the response compressor, which answers only requests it has seen whole and
   * so would refuse a response to one that never arrived.
   */
  private void expire(ChannelHandlerContext ctx, Duration limit, String option) {
    expired = true;
    ChannelHandlerContext compressor = ctx.pipeline().context(HttpContentCompressor.class);
    HttpAnswer.error(HttpResponseStatus.REQUEST_TIMEOUT,
        "the request did not arrive within " + limit.toSeconds() + " s (" + option + ")")
        .writeAndClose(compressor != null ? compressor : ctx);
  }

  private static ScheduledFuture<?> cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
    return null;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    firstRequestTimer = cancel(firstRequestTimer);
    bodyTimer = cancel(bodyTimer);
    ctx.fireChannelInactive();
  }
}
