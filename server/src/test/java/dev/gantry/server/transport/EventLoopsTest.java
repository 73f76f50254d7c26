package dev.gantry.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.server.scheduler.ResponseListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Outcomes are delivered on the event loop of their call only if the loop can be found from the
 * handler's thread; this pins that down against the gRPC and Netty versions in use.
 */
class EventLoopsTest {
  @Test
  void aCallHandledOnTheTransportThreadFindsItsEventLoop() throws Exception {
    CompletableFuture<Executor> seen = new CompletableFuture<>();
    CompletableFuture<Boolean> runsTheCall = new CompletableFuture<>();
    ServerInterceptor recorder = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Executor current = EventLoops.current();
        seen.complete(current);
        runsTheCall.complete(
            current instanceof EventExecutor loop && loop.inEventLoop());
        return next.startCall(call, headers);
      }
    };
    HealthStatusManager health = new HealthStatusManager();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .addService(ServerInterceptors.intercept(health.getHealthService(), recorder))
        .build()
        .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, response.getStatus());
      EventExecutor loop =
          assertInstanceOf(EventExecutor.class, seen.get(10, TimeUnit.SECONDS));
      assertTrue(runsTheCall.get(10, TimeUnit.SECONDS),
          "the executor found is the event loop running the call's handler");
      CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
      loop.execute(() -> onLoop.complete(loop.inEventLoop()));
      assertTrue(onLoop.get(10, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void offAnEventLoopOutcomesStayOnTheCompletingThread() {
    assertSame(ResponseListener.CALLING_THREAD, EventLoops.current());
  }
}
