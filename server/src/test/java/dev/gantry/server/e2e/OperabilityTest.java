package dev.gantry.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.proto.LogSettingsRequest.SettingValue;
import dev.gantry.proto.LogSettingsResponse;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ServerReadyRequest;
import dev.gantry.server.affinity.ThreadAffinity;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log levels at run time, readiness and draining at shutdown, and SIGTERM on a real process. */
class OperabilityTest {
  private static SettingValue bool(boolean value) {
    return SettingValue.newBuilder().setBoolParam(value).build();
  }

  @Test
  void logLevelsChangeAtRunTime(@TempDir Path root) throws Exception {
    ExampleRepository.write(root);
    try (RunningServer gantry = RunningServer.on(new TestRepository(root))) {
      LogSettingsResponse current =
          gantry.blocking.logSettings(LogSettingsRequest.getDefaultInstance());
      assertTrue(current.getSettingsOrThrow("log_info").getBoolParam());
      LogSettingsResponse changed = gantry.blocking.logSettings(LogSettingsRequest.newBuilder()
          .putSettings("log_verbose_level", SettingValue.newBuilder().setUint32Param(1).build())
          .putSettings("logger:dev.gantry.server.scheduler",
              SettingValue.newBuilder().setStringParam("WARN").build())
          .putSettings("log_info", bool(false))
          .build());
      assertEquals(1, changed.getSettingsOrThrow("log_verbose_level").getUint32Param());
      assertFalse(changed.getSettingsOrThrow("log_info").getBoolParam());
      assertTrue(changed.getSettingsOrThrow("log_warning").getBoolParam());
      assertEquals("WARN",
          changed.getSettingsOrThrow("logger:dev.gantry.server.scheduler").getStringParam());
      for (LogSettingsRequest bad : List.of(
          LogSettingsRequest.newBuilder().putSettings("log_file",
              SettingValue.newBuilder().setStringParam("/tmp/x").build()).build(),
          LogSettingsRequest.newBuilder().putSettings("volume", bool(true)).build(),
          LogSettingsRequest.newBuilder().putSettings("log_info",
              SettingValue.newBuilder().setStringParam("yes").build()).build(),
          LogSettingsRequest.newBuilder().putSettings("logger:dev.gantry",
              SettingValue.newBuilder().setStringParam("LOUD").build()).build(),
          LogSettingsRequest.newBuilder().putSettings("logger:no.such.logger",
              SettingValue.newBuilder().setStringParam("INFO").build()).build(),
          LogSettingsRequest.newBuilder()
              .putSettings("log_verbose_level", SettingValue.newBuilder().setUint32Param(2).build())
              .putSettings("log_format", SettingValue.newBuilder().setStringParam("json").build())
              .build())) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> gantry.blocking.logSettings(bad));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      }
      assertEquals(1, gantry.blocking.logSettings(LogSettingsRequest.getDefaultInstance())
          .getSettingsOrThrow("log_verbose_level").getUint32Param(),
          "a refused request changes nothing");
      gantry.blocking.logSettings(LogSettingsRequest.newBuilder()
          .putSettings("log_verbose_level", SettingValue.newBuilder().setUint32Param(0).build())
          .putSettings("logger:dev.gantry.server.scheduler",
              SettingValue.newBuilder().setStringParam("INFO").build())
          .putSettings("log_info", bool(true))
          .build());
    }
  }

  @Test
  void shutdownStopsReadinessAndFinishesWhatIsInFlight(@TempDir Path root) throws Exception {
    new TestRepository(root).onnx("busy", 1, BusyModel.onnx(300));
    RunningServer gantry = RunningServer.on(new TestRepository(root));
    try {
      CompletableFuture<ModelInferResponse> running = AsyncCalls.infer(gantry.async, BusyModel.request("busy", "running"));
      CompletableFuture<ModelInferResponse> queued = AsyncCalls.infer(gantry.async, BusyModel.request("busy", "queued"));
      var scheduler = gantry.server.repository().resolve("busy", "").scheduler();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (scheduler.executing() + scheduler.queued() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      Thread closer = new Thread(gantry.server::close, "test-closer");
      closer.start();
      while (gantry.server.isReady() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertFalse(gantry.server.isReady());
      Thread.sleep(50);
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
          () -> gantry.blocking.serverReady(ServerReadyRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      assertEquals("running", running.get(60, TimeUnit.SECONDS).getId());
      assertEquals("queued", queued.get(60, TimeUnit.SECONDS).getId());
      closer.join();
    } finally {
      gantry.close();
    }
  }

  private static Process serve(Path output, String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "dev.gantry.server.Main", "serve"));
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  @Test
  void aBadHostPolicyStopsTheStartWithTheReason(@TempDir Path root) throws Exception {
    Path output = root.resolve("server.log");
    Process server = serve(output, "--model-repository", root.toString(),
        "--host-policy", "cpu,numa-node=0");
    assertTrue(server.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, server.exitValue(), () -> read(output));
    assertTrue(read(output).contains("--host-policy 'cpu,numa-node=0': setting 'numa-node' is "
        + "not supported; Gantry's host policies take cpu-cores"), () -> read(output));
  }

  @Test
  void sigtermDrainsAndExitsZero(@TempDir Path root) throws Exception {
    Path models = Files.createDirectories(root.resolve("models"));
    ExampleRepository.write(models);
    Path output = root.resolve("server.log");
    String core = ThreadAffinity.current().toString().replaceAll(".*[-,]", "");
    Process server = serve(output,
        "--model-repository", models.toString(),
        "--host", "127.0.0.1", "--grpc-port", "0", "--http-port", "0", "--allow-metrics", "false",
        "--host-policy", "cpu,cpu-cores=" + core);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!read(output).contains("server is ready") && server.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Matcher listening = Pattern.compile("gRPC listening on 127\\.0\\.0\\.1:(\\d+)")
          .matcher(read(output));
      assertTrue(listening.find() && server.isAlive(), () -> read(output));
      assertTrue(read(output).contains("gantry-simple-v1-instance-0 runs on cores " + core),
          () -> read(output));
      ManagedChannel channel = NettyChannelBuilder
          .forAddress("127.0.0.1", Integer.parseInt(listening.group(1))).usePlaintext().build();
      try {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        assertEquals(2, stub.modelInfer(Tensors.addSub("simple", 1, 1f, 1f))
            .getRawOutputContentsCount());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.destroy();
      assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server exits after SIGTERM");
      assertEquals(0, server.exitValue(), () -> read(output));
      assertTrue(read(output).contains("server stopped"), () -> read(output));
    } finally {
      server.destroyForcibly();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
