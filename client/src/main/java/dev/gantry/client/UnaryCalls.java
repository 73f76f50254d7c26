package dev.gantry.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs unary calls as futures, with a deadline across all attempts and retries by a {@link
 * RetryPolicy} within a shared {@link RetryBudget}.
 *
 * <p>Cancelling a returned future cancels the call in flight and any retry still to come.
 */
final class UnaryCalls {
  private final Channel channel;
  private final ScheduledExecutorService scheduler;
  private final RetryPolicy policy;
  private final RetryBudget budget;

  UnaryCalls(Channel channel, ScheduledExecutorService scheduler, RetryPolicy policy) {
    this.channel = channel;
    this.scheduler = scheduler;
    this.policy = policy;
    this.budget = new RetryBudget(policy);
  }

  /**
   * Calls {@code method} and maps its response.
   *
   * @param deadline the deadline for the call and all its retries, or {@code null} for none
   * @param retryable whether the call may be repeated safely
   * @param mapping turns the response into the result; a failure there fails the call as {@code
   *     INTERNAL}
   */
  <Q, R, T> CompletableFuture<T> call(
      MethodDescriptor<Q, R> method,
      Q request,
      Deadline deadline,
      boolean retryable,
      Function<R, T> mapping) {
    RetryingCall<Q, R, T> call = new RetryingCall<>(method, request, deadline, retryable, mapping);
    call.attempt();
    return call.result;
  }

  /** One logical call and its attempts. */
  private final class RetryingCall<Q, R, T> {
    final CompletableFuture<T> result = new CompletableFuture<>();
    private final MethodDescriptor<Q, R> method;
    private final Q request;
    private final Deadline deadline;
    private final boolean retryable;
    private final Function<R, T> mapping;
    private volatile ClientCall<Q, R> current;
    private int attempts;

    RetryingCall(
        MethodDescriptor<Q, R> method,
        Q request,
        Deadline deadline,
        boolean retryable,
        Function<R, T> mapping) {
      this.method = method;
      this.request = request;
      this.deadline = deadline;
      this.retryable = retryable;
      this.mapping = mapping;
      result.whenComplete((value, failure) -> cancelIfCancelled());
    }

    void attempt() {
      if (result.isDone()) {
        return;
      }
      attempts++;
      ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT.withDeadline(deadline));
      current = call;
      try {
        call.start(new Listener(), new Metadata());
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
      } catch (RuntimeException e) {
        call.cancel("the call failed to start", e);
        result.completeExceptionally(InferenceClientException.from(e));
      }
      cancelIfCancelled();
    }

    private void cancelIfCancelled() {
      ClientCall<Q, R> call = current;
      if (result.isCancelled() && call != null) {
        call.cancel("cancelled by the caller", null);
      }
    }

    private void onClose(Status status, Metadata trailers, R response) {
      if (status.isOk()) {
        budget.onSuccess();
        complete(response);
      } else if (!retryLater(status)) {
        result.completeExceptionally(
            InferenceClientException.from(status.asRuntimeException(trailers)));
      }
    }

    private void complete(R response) {
      if (response == null) {
        result.completeExceptionally(
            new InferenceClientException(
                Status.Code.INTERNAL, "the server sent no response", null));
        return;
      }
      T value;
      try {
        value = mapping.apply(response);
      } catch (RuntimeException e) {
        result.completeExceptionally(
            new InferenceClientException(
                Status.Code.INTERNAL, "malformed response: " + e.getMessage(), e));
        return;
      }
      result.complete(value);
    }

    private boolean retryLater(Status status) {
      if (!retryable
          || !policy.isRetryable(status.getCode())
          || attempts >= policy.maxAttempts()
          || result.isDone()) {
        return false;
      }
      long pause = policy.backoffNanos(attempts);
      if (deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= pause) {
        return false;
      }
      if (!budget.tryAcquire()) {
        return false;
      }
      try {
        scheduler.schedule(this::attempt, pause, TimeUnit.NANOSECONDS);
        return true;
      } catch (RejectedExecutionException e) {
        return false;
      }
    }

    /** Receives one attempt's response and outcome. */
    private final class Listener extends ClientCall.Listener<R> {
      private R response;

      @Override
      public void onMessage(R message) {
        response = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        RetryingCall.this.onClose(status, trailers, response);
      }
    }
  }
}
