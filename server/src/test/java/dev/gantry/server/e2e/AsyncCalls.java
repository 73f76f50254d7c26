package dev.gantry.server.e2e;

import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/** Sends ModelInfer without waiting: the future completes with the response or the failure. */
final class AsyncCalls {
  private AsyncCalls() {}

  static CompletableFuture<ModelInferResponse> infer(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, ModelInferRequest request) {
    CompletableFuture<ModelInferResponse> outcome = new CompletableFuture<>();
    stub.modelInfer(request, new StreamObserver<>() {
      @Override
      public void onNext(ModelInferResponse response) {
        outcome.complete(response);
      }

      @Override
      public void onError(Throwable t) {
        outcome.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    return outcome;
  }
}
