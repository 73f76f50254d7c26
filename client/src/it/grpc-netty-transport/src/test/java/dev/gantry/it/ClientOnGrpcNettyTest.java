package dev.gantry.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.client.InferenceClient;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ServerLiveRequest;
import dev.gantry.proto.ServerLiveResponse;
import dev.gantry.proto.ServerMetadataRequest;
import dev.gantry.proto.ServerMetadataResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The client, resolved through gantry-bom with grpc-netty-shaded excluded, calls a server over
 * grpc-netty, the transport this application chose.
 */
class ClientOnGrpcNettyTest {
  @Test
  void theClientCallsOverTheTransportTheApplicationChose() throws Exception {
    assertThrows(ClassNotFoundException.class,
        () -> Class.forName("io.grpc.netty.shaded.io.grpc.netty.NettyChannelProvider"),
        "the default transport was excluded");
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new Answering()).build().start();
    try (InferenceClient client = InferenceClient.builder()
        .target("127.0.0.1:" + server.getPort()).build()) {
      assertTrue(client.isServerLive());
      assertEquals("grpc-netty", client.serverMetadata().getName());
      assertEquals("grpc-netty", client.serverMetadataAsync().get().getName());
    } finally {
      server.shutdownNow().awaitTermination();
    }
  }

  /** The two calls the test makes, answered as a live server would. */
  private static final class Answering extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> answer) {
      answer.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
      answer.onCompleted();
    }

    @Override
    public void serverMetadata(
        ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> answer) {
      answer.onNext(ServerMetadataResponse.newBuilder().setName("grpc-netty").build());
      answer.onCompleted();
    }
  }
}
