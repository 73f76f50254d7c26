package dev.gantry.server.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection: hands each request to the endpoints and writes the answers in the
 * order the requests came, as pipelining requires, however their calls end. At most {@link
 * #MAX_PIPELINED} requests of a connection are unanswered at once; beyond that the connection
 * stops reading until one is answered. A request that asks to close the connection, or that is
 * malformed, is the last one read. When the client goes away its unanswered calls are cancelled,
 * which frees their queued work. Everything here runs on the connection's event loop.
 */
final class HttpConnection extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
  static final int MAX_PIPELINED = 32;

  private final HttpEndpoints endpoints;
  private final AtomicInteger unanswered;
  private final ArrayDeque<Exchange> exchanges = new ArrayDeque<>();
  /** A request asked to close the connection (or was malformed): nothing after it is read. */
  private boolean closing;

  /** A request read and its answer, once it has one. */
  private static final class Exchange {
    final boolean keepAlive;
    HttpEndpoints.Pending pending;
    HttpAnswer answer;

    Exchange(boolean keepAlive) {
      this.keepAlive = keepAlive;
    }
  }

  /** @param unanswered the server's count of requests read and not yet answered */
  HttpConnection(HttpEndpoints endpoints, AtomicInteger unanswered) {
    this.endpoints = endpoints;
    this.unanswered = unanswered;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (closing) {
      return;
    }
    boolean malformed = request.decoderResult().isFailure();
    boolean keepAlive = HttpUtil.isKeepAlive(request) && !malformed;
    if (!keepAlive) {
      closing = true;
      ctx.channel().config().setAutoRead(false);
    }
    Exchange exchange = new Exchange(keepAlive);
    exchanges.add(exchange);
    unanswered.incrementAndGet();
    if (exchanges.size() >= MAX_PIPELINED) {
      ctx.channel().config().setAutoRead(false);
    }
    if (malformed) {
      answered(ctx, exchange, HttpAnswer.error(HttpResponseStatus.BAD_REQUEST,
          "malformed HTTP request: " + request.decoderResult().cause().getMessage()));
      return;
    }
    exchange.pending = endpoints.handle(request, answer -> answered(ctx, exchange, answer));
  }

  private void answered(ChannelHandlerContext ctx, Exchange exchange, HttpAnswer answer) {
    if (!exchanges.contains(exchange)) {
      answer.body().release();
      return;
    }
    exchange.answer = answer;
    while (!exchanges.isEmpty() && exchanges.peek().answer != null) {
      Exchange next = exchanges.poll();
      unanswered.decrementAndGet();
      write(ctx, next);
      if (!next.keepAlive) {
        abandon();
        return;
      }
    }
    if (exchanges.size() < MAX_PIPELINED && !closing) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private static void write(ChannelHandlerContext ctx, Exchange exchange) {
    HttpAnswer answer = exchange.answer;
    FullHttpResponse response = new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, answer.status(), answer.body());
    response.headers().set(answer.headers());
    HttpUtil.setContentLength(response, answer.body().readableBytes());
    if (exchange.keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Cancels what is still unanswered: nobody will read it. */
  private void abandon() {
    List<Exchange> abandoned = new ArrayList<>(exchanges);
    exchanges.clear();
    unanswered.addAndGet(-abandoned.size());
    for (Exchange exchange : abandoned) {
      if (exchange.pending != null) {
        exchange.pending.cancel();
      }
      if (exchange.answer != null) {
        exchange.answer.body().release();
      }
    }
  }

  /** Closes a connection idle for the limit with nothing unanswered; a long call keeps it. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && exchanges.isEmpty()) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    abandon();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(),
        cause.toString());
    ctx.close();
  }
}
