package dev.gantry.server.http;

import com.google.gson.JsonObject;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An inference response body: the JSON header and, when outputs go as binary data, their bytes
 * after it, wrapped rather than copied.
 */
final class HttpBody {
  /** The header that gives the JSON's length when binary data follows it. */
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final List<ByteBuffer> binary = new ArrayList<>();
  private JsonObject header;

  void setHeader(JsonObject json) {
    header = json;
  }

  void addBinary(ByteBuffer bytes) {
    binary.add(bytes);
  }

  HttpAnswer answer() {
    byte[] json = HttpAnswer.bytes(header);
    if (binary.isEmpty()) {
      return new HttpAnswer(HttpResponseStatus.OK, HttpAnswer.jsonHeaders(),
          Unpooled.wrappedBuffer(json));
    }
    ByteBuffer[] parts = new ByteBuffer[binary.size() + 1];
    parts[0] = ByteBuffer.wrap(json);
    for (int i = 0; i < binary.size(); i++) {
      parts[i + 1] = binary.get(i);
    }
    ByteBuf body = Unpooled.wrappedBuffer(parts);
    HttpHeaders headers = new DefaultHttpHeaders()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .set(HEADER_LENGTH, json.length);
    return new HttpAnswer(HttpResponseStatus.OK, headers, body);
  }
}
