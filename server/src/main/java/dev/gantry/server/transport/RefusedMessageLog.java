package dev.gantry.server.transport;

import dev.gantry.server.logging.ThrottledLog;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps grpc-java's warning about a message it refused while reading it (over
 * {@code --max-message-size}, or a malformed gRPC frame) from writing a stack trace to the log for
 * every such request: anyone can send them, so one line per 10 seconds with a count is logged
 * instead. grpc-java logs these through java.util.logging, from its Netty server stream; the
 * caller gets its status (RESOURCE_EXHAUSTED, ...) either way.
 */
final class RefusedMessageLog {
  /** The java.util.logging logger grpc-java writes the warning to; held so it is not collected. */
  private static final Logger GRPC_STREAM =
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream");
  private static final ThrottledLog refused = new ThrottledLog(
      LoggerFactory.getLogger(RefusedMessageLog.class), Duration.ofSeconds(10));

  private RefusedMessageLog() {}

  /** Replaces grpc-java's per-request warning with the throttled line; idempotent. */
  static void install() {
    GRPC_STREAM.setFilter(record -> {
      if (record.getThrown() instanceof StatusRuntimeException refusal) {
        refused.warn("refused a request message while reading it: "
            + refusal.getStatus().getCode() + ": " + refusal.getStatus().getDescription());
        return false;
      }
      return true;
    });
  }
}
