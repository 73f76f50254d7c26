package dev.gantry.server.e2e;

import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import io.grpc.stub.StreamObserver;
import dev.gantry.proto.ModelStreamInferResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Calls that do not block on each response: async ModelInfer and a whole ModelStreamInfer. */
final class AsyncCalls {
  private AsyncCalls() {}

  /** Sends ModelInfer; the future completes with the response or the failure. */
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

  /** Sends the requests on one ModelStreamInfer, half-closes, and returns every response. */
  static List<ModelStreamInferResponse> stream(
      GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, List<ModelInferRequest> requests) {
    List<ModelStreamInferResponse> responses = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<ModelInferRequest> out = stub.modelStreamInfer(new StreamObserver<>() {
      @Override
      public void onNext(ModelStreamInferResponse response) {
        responses.add(response);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    requests.forEach(out::onNext);
    out.onCompleted();
    done.orTimeout(30, TimeUnit.SECONDS).join();
    return responses;
  }
}
