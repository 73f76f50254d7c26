package dev.gantry.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.server.GantryServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The example as an application sees the server: its dependencies bring no logging backend, the
 * embedded server infers on the committed example repository in process, and the one call tied
 * to logback says why it cannot work here.
 */
class EmbeddedInferenceTest {
  private static final Path MODELS = Path.of("..", "models");

  @Test
  void theServerBringsNoLoggingBackend() {
    assertThrows(ClassNotFoundException.class,
        () -> Class.forName("ch.qos.logback.classic.LoggerContext"));
    assertEquals("org.slf4j.simple.SimpleLoggerFactory",
        LoggerFactory.getILoggerFactory().getClass().getName());
  }

  @Test
  void infersThroughTheInProcessChannel() throws Exception {
    assertArrayEquals(new float[] {4, 3, 2, 1},
        EmbeddedInference.infer(MODELS, new float[] {4, 3, 2, 1}));
  }

  @Test
  void logSettingsNeedsLogback() throws Exception {
    try (GantryServer server = GantryServer.builder().modelRepository(MODELS).grpcPort(0).start()) {
      ManagedChannel channel = server.inProcessChannel();
      try {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
            () -> GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .logSettings(LogSettingsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
        assertEquals("LogSettings needs logback as the slf4j backend; this process logs through "
            + "org.slf4j.simple.SimpleLoggerFactory, so set levels through it",
            refused.getStatus().getDescription());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
