package dev.gantry.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
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
 * one limit, and every request, headers and body, must arrive whole within another once its first
 * byte has. A client too slow for either (one that drips its headers or its body, stops, or never
 * starts) gets 408 and the connection is closed, so that it holds neither a buffer nor a
 * connection slot for long. Other connections are not affected.
 *
 * <p>It sits after the HTTP decoder, where a request's end shows; {@link #firstBytes()} is its
 * other half, before the decoder, where a request's first byte shows before its headers are
 * whole. A request that begins in the same read as the end of the one before is timed from its
 * headers, or, if they are cut short there, from the next read (a connection that then sends
 * nothing at all is closed by the idle limit). Both halves run on the connection's event loop.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
  private final Duration firstRequest;
  private final Duration request;
  private ChannelHandlerContext context;
  private ScheduledFuture<?> firstRequestTimer;
  private ScheduledFuture<?> requestTimer;
  private boolean betweenRequests = true;
  private boolean readSinceTimer;
  private boolean expired;

  RequestDeadline(Duration firstRequest, Duration request) {
    this.firstRequest = firstRequest;
    this.request = request;
  }

  /** The half that goes before the HTTP decoder and starts a request's timer at its first byte. */
  ChannelHandler firstBytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext raw, Object message) {
        if (message instanceof ByteBuf bytes && bytes.isReadable()) {
          readSinceTimer = true;
          if (betweenRequests) {
            betweenRequests = false;
            startRequestTimer();
          }
        }
        raw.fireChannelRead(message);
      }
    };
  }

  private void startRequestTimer() {
    readSinceTimer = false;
    requestTimer = context.executor().schedule(
        this::requestTimedOut, request.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The request's time is up, unless the server itself stopped reading the connection (too many
   * requests before it unanswered) and read nothing since: the client cannot send what is not
   * read, so its clock starts again.
   */
  private void requestTimedOut() {
    if (!context.channel().config().isAutoRead() && !readSinceTimer) {
      startRequestTimer();
      return;
    }
    expire(request, "--http-body-timeout-secs");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    firstRequestTimer = ctx.executor().schedule(
        () -> expire(firstRequest, "--grpc-first-request-timeout-secs"),
        firstRequest.toMillis(), TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (expired) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (message instanceof LastHttpContent) {
      firstRequestTimer = cancel(firstRequestTimer);
      requestTimer = cancel(requestTimer);
      betweenRequests = true;
    } else if (message instanceof HttpRequest && requestTimer == null) {
      betweenRequests = false;
      startRequestTimer();
    }
    ctx.fireChannelRead(message);
  }

  /**
   * Answers 408 after the answers to the requests before, and past the response compressor,
   * which answers only requests whose headers it has seen and so would refuse a response to one
   * whose headers never arrived.
   */
  private void expire(Duration limit, String option) {
    expired = true;
    ChannelHandlerContext compressor = context.pipeline().context(HttpContentCompressor.class);
    context.fireUserEventTriggered(new RefusedRequest(
        HttpAnswer.error(HttpResponseStatus.REQUEST_TIMEOUT,
            "the request did not arrive within " + limit.toSeconds() + " s (" + option + ")"),
        compressor != null ? compressor : context));
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
    requestTimer = cancel(requestTimer);
    ctx.fireChannelInactive();
  }
}
