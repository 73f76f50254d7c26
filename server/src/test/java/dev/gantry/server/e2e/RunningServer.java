package dev.gantry.server.e2e;

import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.server.GantryServer;
import dev.gantry.server.ServerOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A real Gantry server on a loopback ephemeral port, with a plain gRPC channel and the stubs
 * generated from the protocol, as any client generated from Triton's protos would use them.
 */
final class RunningServer implements AutoCloseable {
  final GantryServer server;
  final ManagedChannel channel;
  final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub blocking;
  final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub async;

  RunningServer(ServerOptions options) throws IOException {
    server = GantryServer.start(options);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
        .usePlaintext()
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build();
    blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    async = GRPCInferenceServiceGrpc.newStub(channel);
  }

  static RunningServer on(TestRepository repository) throws IOException {
    return new RunningServer(ServerOptions.forRepositories(repository.root()));
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }
}
