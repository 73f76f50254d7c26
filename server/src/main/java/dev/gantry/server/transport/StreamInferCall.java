package dev.gantry.server.transport;

import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelStreamInferResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@code ModelStreamInfer} call. Each request on the stream is dispatched like a unary one;
 * its response or its error (as {@code error_message}, leaving the stream open) goes back on the
 * stream as soon as it is ready, so responses may overtake each other.
 *
 * <p>Flow control, both ways. The stream reads at most {@code window} requests ahead of the
 * responses it has sent, so a client that sends faster than the model runs is held back by HTTP/2
 * instead of filling the server's memory. And it reads the next request only while the client
 * takes its responses: when the transport is not ready for more output (the client stopped
 * reading and HTTP/2's window is full), each response sent leaves a read owed, granted once the
 * transport is ready again, so the responses waiting for a client that does not read are at most
 * the window's worth. When the client cancels or disconnects, its queued requests are withdrawn.
 */
final class StreamInferCall implements StreamObserver<ModelInferRequest> {
  private final InferenceDispatcher dispatcher;
  private final ServerCallStreamObserver<ModelStreamInferResponse> out;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicInteger pending = new AtomicInteger();
  private final Queue<Runnable> outbound = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private boolean halfClosed;
  private boolean finished;
  private int owedReads;

  /** One request of the stream, from arrival until its response is sent. */
  private static final class Call {
    volatile InferenceDispatcher.Queued queued;
  }

  StreamInferCall(
      InferenceDispatcher dispatcher,
      ServerCallStreamObserver<ModelStreamInferResponse> out,
      int window) {
    this.dispatcher = dispatcher;
    this.out = out;
    out.disableAutoRequest();
    out.setOnCancelHandler(this::cancelAll);
    out.setOnReadyHandler(() -> send(this::grantOwedReads));
    out.request(window);
  }

  @Override
  public void onNext(ModelInferRequest request) {
    pending.incrementAndGet();
    Call call = new Call();
    inFlight.add(call);
    try {
      call.queued = dispatcher.submit(
          request,
          Context.current().getDeadline(),
          response -> finish(call, success(response)),
          error -> finish(call, failure(request, error)));
    } catch (RuntimeException e) {
      finish(call, failure(request, e));
    }
  }

  @Override
  public void onError(Throwable error) {
    cancelAll();
  }

  @Override
  public void onCompleted() {
    send(() -> {
      halfClosed = true;
      completeIfDone();
    });
  }

  private void finish(Call call, ModelStreamInferResponse response) {
    inFlight.remove(call);
    send(() -> {
      pending.decrementAndGet();
      if (!finished && !out.isCancelled()) {
        out.onNext(response);
        owedReads++;
        grantOwedReads();
      }
      completeIfDone();
    });
  }

  /**
   * Runs an action on the response stream after those already queued, on whichever thread finds
   * the stream free, and never waits: the thread serialising a response keeps draining what
   * others queue meanwhile. So the transport's thread is never held behind a large response, and
   * the stream's state (half-closed, finished, owed reads) is only ever touched by one thread at
   * a time.
   */
  private void send(Runnable action) {
    outbound.add(action);
    while (!outbound.isEmpty() && draining.compareAndSet(false, true)) {
      try {
        Runnable next;
        while ((next = outbound.poll()) != null) {
          next.run();
        }
      } finally {
        draining.set(false);
      }
    }
  }

  /** Reads the requests held back while the transport could not take output. */
  private void grantOwedReads() {
    if (owedReads > 0 && !finished && !out.isCancelled() && out.isReady()) {
      out.request(owedReads);
      owedReads = 0;
    }
  }

  private void completeIfDone() {
    if (halfClosed && pending.get() == 0 && !finished) {
      finished = true;
      if (!out.isCancelled()) {
        out.onCompleted();
      }
    }
  }

  private void cancelAll() {
    send(() -> finished = true);
    for (Call call : inFlight) {
      InferenceDispatcher.Queued queued = call.queued;
      if (queued != null) {
        queued.cancel("the client cancelled the stream");
      }
    }
  }

  private static ModelStreamInferResponse success(ModelInferResponse response) {
    return ModelStreamInferResponse.newBuilder().setInferResponse(response).build();
  }

  /**
   * The error of one request: {@code CODE: description} in {@code error_message}, and the
   * request's model and id in {@code infer_response} so that the client can tell which request
   * failed.
   */
  private static ModelStreamInferResponse failure(ModelInferRequest request, RuntimeException error) {
    Status status = StatusMapper.toStatus(error);
    return ModelStreamInferResponse.newBuilder()
        .setErrorMessage(status.getCode() + ": " + status.getDescription())
        .setInferResponse(ModelInferResponse.newBuilder()
            .setModelName(request.getModelName())
            .setModelVersion(request.getModelVersion())
            .setId(request.getId()))
        .build();
  }
}
