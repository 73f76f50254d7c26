package dev.gantry.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
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
 * stops reading until one is answered. A request that asks to close the connection, that is
 * malformed, or that a handler before this one refused (too slow, too large) is the last one
 * read. When the client goes away its unanswered calls are cancelled, which frees their queued
 * work. Everything here runs on the connection's event loop.
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
    /** Where the answer is written from; null for this handler's own context. */
    final ChannelHandlerContext writeFrom;
    HttpEndpoints.Pending pending;
    HttpAnswer answer;

    Exchange(boolean keepAlive, ChannelHandlerContext writeFrom) {
      this.keepAlive = keepAlive;
      this.writeFrom = writeFrom;
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
    Exchange exchange = new Exchange(keepAlive, null);
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
    ChannelHandlerContext from = exchange.writeFrom != null ? exchange.writeFrom : ctx;
    exchange.answer.write(from, exchange.keepAlive);
  }

  /**
   * A request that a handler before this one refused takes its turn as the connection's last:
   * nothing after it is read.
   */
  private void refused(ChannelHandlerContext ctx, RefusedRequest refused) {
    if (closing) {
      refused.answer().body().release();
      return;
    }
    closing = true;
    ctx.channel().config().setAutoRead(false);
    Exchange exchange = new Exchange(false, refused.writeFrom());
    exchanges.add(exchange);
    unanswered.incrementAndGet();
    answered(ctx, exchange, refused.answer());
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

  /**
   * Takes a refused request's turn ({@link RefusedRequest}); closes a connection idle for the
   * limit with nothing unanswered, which a long call keeps open.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof RefusedRequest refusal) {
      refused(ctx, refusal);
      return;
    }
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
