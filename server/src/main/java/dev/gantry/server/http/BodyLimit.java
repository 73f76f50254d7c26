package dev.gantry.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

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

  /**
   * A request that expects {@code 100 Continue} for a body announced over the limit is not sent
   * the aggregator's own bare 413 at once: it is refused by {@link #handleOversizedMessage} like
   * any other, so that its 413 carries the protocol's error body and waits its turn.
   */
  @Override
  protected Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    if (HttpUtil.is100ContinueExpected(start)
        && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
      return null;
    }
    return super.newContinueResponse(start, maxContentLength, pipeline);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    HttpAnswer answer = HttpAnswer.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "the request body is larger than the limit of " + maxBytes
            + " bytes (--max-message-size)");
    ctx.fireUserEventTriggered(new RefusedRequest(answer, ctx));
  }
}
