package dev.gantry.server.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP response before it is written: status, headers, body. Errors carry the protocol's
 * {@code {"error": "..."}} body.
 */
record HttpAnswer(HttpResponseStatus status, HttpHeaders headers, ByteBuf body) {
  private static final Gson GSON = new GsonBuilder()
      .disableHtmlEscaping()
      .serializeSpecialFloatingPointValues()
      .create();

  static HttpAnswer json(HttpResponseStatus status, JsonElement json) {
    return new HttpAnswer(status, jsonHeaders(), Unpooled.wrappedBuffer(bytes(json)));
  }

  static HttpAnswer empty(HttpResponseStatus status) {
    return new HttpAnswer(status, new DefaultHttpHeaders(), Unpooled.EMPTY_BUFFER);
  }

  static HttpAnswer error(HttpResponseStatus status, String message) {
    JsonObject body = new JsonObject();
    body.addProperty("error", message);
    return json(status, body);
  }

  /**
   * Writes this as a response on the connection of {@code ctx}; unless {@code keepAlive}, as its
   * last one, closing it once written.
   */
  void write(ChannelHandlerContext ctx, boolean keepAlive) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers().set(headers).set(HttpHeaderNames.CONNECTION,
        keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(response, body.readableBytes());
    ChannelFuture written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  static HttpHeaders jsonHeaders() {
    return new DefaultHttpHeaders()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
  }

  static byte[] bytes(JsonElement json) {
    return GSON.toJson(json).getBytes(StandardCharsets.UTF_8);
  }
}
