package dev.gantry.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a request that started arriving is refused for taking too long, and when it is not. */
class RequestDeadlineTest {
  private final List<RefusedRequest> refusals = new ArrayList<>();
  private final RequestDeadline deadline =
      new RequestDeadline(Duration.ofSeconds(60), Duration.ofSeconds(1));
  private final EmbeddedChannel channel = new EmbeddedChannel(deadline.firstBytes(),
      new HttpServerCodec(), new HttpContentCompressor(), deadline,
      new ChannelInboundHandlerAdapter() {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
          if (event instanceof RefusedRequest refused) {
            refusals.add(refused);
            refused.answer().body().release();
          }
        }
      });

  private void receive(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
  }

  private void after(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void aRequestWhoseHeadersStopHalfwayIsRefusedWith408() {
    receive("GET /v2/health/live HTTP/1.1\r\nHo");
    after(900);
    assertTrue(refusals.isEmpty(), "within the limit");
    after(200);
    assertEquals(1, refusals.size());
    assertEquals(HttpResponseStatus.REQUEST_TIMEOUT, refusals.get(0).answer().status());
  }

  @Test
  void aWholeRequestStopsTheClockUntilTheNextOneStarts() {
    receive("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
    after(5_000);
    assertTrue(refusals.isEmpty(), "an idle kept-alive connection is the idle limit's business");
    receive("GET /v2/health/ready HTTP/1.1\r\n");
    after(1_100);
    assertEquals(1, refusals.size(), "the next request's clock starts at its first byte");
  }

  @Test
  void aRequestBeginningInTheReadThatEndsTheOneBeforeIsTimedToo() {
    receive("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
    after(1_100);
    assertEquals(1, refusals.size(), "timed from its headers, though its first byte came early");
  }

  @Test
  void whileTheServerIsNotReadingTheClientIsNotBlamed() {
    receive("GET /v2/health/live HTTP/1.1\r\nHo");
    channel.config().setAutoRead(false);
    after(3_000);
    assertTrue(refusals.isEmpty(), "the server stopped reading, not the client sending");
    channel.config().setAutoRead(true);
    after(1_100);
    assertEquals(1, refusals.size(), "once read again, the client has the limit once more");
  }

  @Test
  void whatTheServerStillReadsWithReadingPausedIsTimed() {
    receive("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
    channel.config().setAutoRead(false);
    receive("ab");
    after(1_100);
    assertEquals(1, refusals.size(), "bytes were read meanwhile, so the client is the slow one");
  }
}
