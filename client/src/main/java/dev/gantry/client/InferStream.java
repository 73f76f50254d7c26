package dev.gantry.client;

import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelStreamInferResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bidirectional inference stream ({@code ModelStreamInfer}): many requests over one call, each
 * answered through its own future.
 *
 * <p>Streams suit high request rates, where one call per request costs too much. The protocol
 * answers each request with a response or an error message; an error fails only that request's
 * future, and the stream goes on. Responses are matched to requests by request id: a request sent
 * without an id is given one, unique within the stream. A response without an id, from a server
 * that does not echo ids, goes to the oldest request still waiting.
 *
 * <p>{@link #send} applies gRPC flow control: when the transport cannot take another message
 * without buffering it, {@code send} blocks until it can, so a fast sender cannot overrun a slow
 * server or fill memory. {@link #isReady()} tells whether a send would block now.
 *
 * <p>Finish with {@link #close()}: it half-closes the stream and waits until every request has been
 * answered and the server has ended the stream. {@link #cancel()} abandons it instead.
 *
 * <p>Thread-safe. Futures complete on gRPC's threads: stages chained to them without an executor
 * must not block, and must not call {@code send}, which may wait for those very threads.
 */
public final class InferStream implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(InferStream.class.getName());
  private static final String ID_PREFIX = "stream-request-";

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, CompletableFuture<InferResult>> waiting = new LinkedHashMap<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private volatile ClientCallStreamObserver<ModelInferRequest> requests;
  private long generatedIds;
  private boolean halfClosed;
  private boolean cancelled;
  private boolean ended;
  private InferenceClientException failure;

  private InferStream() {}

  static InferStream open(Channel channel, CallOptions options) {
    InferStream stream = new InferStream();
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(GRPCInferenceServiceGrpc.getModelStreamInferMethod(), options),
        stream.new Responses());
    return stream;
  }

  /**
   * Sends a request, first waiting for as long as the transport is not ready for it.
   *
   * @return a future completed by the request's response, or failed by its error message or by the
   *     end of the stream; cancelling it does not recall the request
   * @throws IllegalArgumentException if a request with the same id is still waiting on this stream
   * @throws IllegalStateException if the stream was closed or the server ended it
   * @throws InferenceClientException if the stream failed, or with {@code CANCELLED} if the thread
   *     was interrupted while waiting
   */
  public CompletableFuture<InferResult> send(InferRequest request) {
    lock.lock();
    try {
      ModelInferRequest message = request.message();
      if (message.getId().isEmpty()) {
        message = message.toBuilder().setId(ID_PREFIX + ++generatedIds).build();
      }
      rejectWaitingId(message.getId());
      awaitReady();
      rejectWaitingId(message.getId());
      CompletableFuture<InferResult> response = new CompletableFuture<>();
      waiting.put(message.getId(), response);
      requests.onNext(message);
      return response;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a {@link #send} now would go out without waiting. */
  public boolean isReady() {
    lock.lock();
    try {
      return !halfClosed && !cancelled && !ended && requests.isReady();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Half-closes the stream: no more requests will be sent.
   *
   * @return a future completed once the server has ended the stream, after answering, or failed if
   *     the stream failed
   */
  public CompletableFuture<Void> closeAsync() {
    lock.lock();
    try {
      if (!halfClosed && !cancelled && !ended) {
        requests.onCompleted();
      }
      halfClosed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return finished.copy();
  }

  /**
   * Half-closes the stream and waits until the server has answered every request and ended it.
   * Interrupting the wait cancels the stream.
   *
   * @throws InferenceClientException if the stream failed
   */
  @Override
  public void close() {
    CompletableFuture<Void> done = closeAsync();
    try {
      done.get();
    } catch (InterruptedException e) {
      cancel();
      Thread.currentThread().interrupt();
      throw new InferenceClientException(Status.Code.CANCELLED, "interrupted while closing", e);
    } catch (ExecutionException e) {
      throw InferenceClientException.from(e.getCause()).rethrownHere();
    }
  }

  /**
   * Abandons the stream: the call is cancelled and requests still waiting fail with {@code
   * CANCELLED}.
   */
  public void cancel() {
    lock.lock();
    try {
      cancelled = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    requests.cancel("cancelled by the caller", null);
  }

  /** Rejects an id already waiting for its response, before and after waiting to send. */
  private void rejectWaitingId(String id) {
    if (waiting.containsKey(id)) {
      throw new IllegalArgumentException(
          "request id \"" + id + "\" is already waiting on this stream");
    }
  }

  private void awaitReady() {
    while (true) {
      if (halfClosed) {
        throw new IllegalStateException("the stream is closed");
      }
      if (cancelled) {
        throw new InferenceClientException(Status.Code.CANCELLED, "the stream was cancelled", null);
      }
      if (ended) {
        if (failure != null) {
          throw failure.rethrownHere();
        }
        throw new IllegalStateException("the server has ended the stream");
      }
      if (requests.isReady()) {
        return;
      }
      try {
        changed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InferenceClientException(
            Status.Code.CANCELLED, "interrupted while waiting to send", e);
      }
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private CompletableFuture<InferResult> take(String id) {
    lock.lock();
    try {
      if (!id.isEmpty()) {
        return waiting.remove(id);
      }
      Iterator<CompletableFuture<InferResult>> oldest = waiting.values().iterator();
      if (!oldest.hasNext()) {
        return null;
      }
      CompletableFuture<InferResult> response = oldest.next();
      oldest.remove();
      return response;
    } finally {
      lock.unlock();
    }
  }

  private void end(InferenceClientException streamFailure) {
    List<CompletableFuture<InferResult>> unanswered;
    lock.lock();
    try {
      ended = true;
      failure = streamFailure;
      unanswered = new ArrayList<>(waiting.values());
      waiting.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    InferenceClientException orphaned =
        streamFailure != null
            ? streamFailure
            : new InferenceClientException(
                Status.Code.INTERNAL, "the server ended the stream without answering", null);
    unanswered.forEach(response -> response.completeExceptionally(orphaned));
    if (streamFailure == null) {
      finished.complete(null);
    } else {
      finished.completeExceptionally(streamFailure);
    }
  }

  /** Receives the server's side of the stream. */
  private final class Responses
      implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
    @Override
    public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
      requests = requestStream;
      requestStream.setOnReadyHandler(InferStream.this::signal);
    }

    @Override
    public void onNext(ModelStreamInferResponse message) {
      String id = message.getInferResponse().getId();
      CompletableFuture<InferResult> response = take(id);
      if (response == null) {
        LOG.log(
            System.Logger.Level.WARNING,
            "ignoring a response to request id \"{0}\", which no request awaits",
            id);
        return;
      }
      if (!message.getErrorMessage().isEmpty()) {
        response.completeExceptionally(
            new InferenceClientException(
                codeOf(message.getErrorMessage()), message.getErrorMessage(), null));
        return;
      }
      try {
        response.complete(new InferResult(message.getInferResponse()));
      } catch (RuntimeException e) {
        response.completeExceptionally(
            new InferenceClientException(
                Status.Code.INTERNAL, "malformed response: " + e.getMessage(), e));
      }
    }

    @Override
    public void onError(Throwable error) {
      end(InferenceClientException.from(error));
    }

    @Override
    public void onCompleted() {
      end(null);
    }
  }

  /**
   * The status code a stream error message starts with, as servers that follow gRPC's {@code
   * CODE: description} form write it (Gantry does); {@link Status.Code#UNKNOWN} otherwise.
   */
  static Status.Code codeOf(String errorMessage) {
    int colon = errorMessage.indexOf(": ");
    if (colon > 0) {
      try {
        return Status.Code.valueOf(errorMessage.substring(0, colon));
      } catch (IllegalArgumentException e) {
        return Status.Code.UNKNOWN;
      }
    }
    return Status.Code.UNKNOWN;
  }
}
