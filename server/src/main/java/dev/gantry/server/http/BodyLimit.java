package dev.gantry.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Gathers a request's body up to the server's message size limit, and answers a larger one with
 * 413 and the limit in the protocol's error body, written after the answers to the requests
 * before it, before closing the connection (the rest of the body is never read). The limit
 * applies after decompression, so a small compressed body cannot expand past it.
 */
final class BodyLimit extends HttpObjectAggregator {
  private final int maxBytes;

  BodyLimit(int maxBytes) {
    super(maxBytes, true);
    this.maxBytes = maxBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    HttpAnswer answer = HttpAnswer.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "the request body is larger than the limit of " + maxBytes
            + " bytes (--max-message-size)");
    ctx.fireUserEventTriggered(new RefusedRequest(answer, ctx));
  }
}
