package dev.gantry.server.transport;

import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.server.error.CancelledException;
import dev.gantry.server.error.GantryException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.memory.DirectBufferPool;
import dev.gantry.server.metrics.ModelMetrics;
import dev.gantry.server.model.LoadedVersion;
import dev.gantry.server.model.ModelRepository;
import dev.gantry.server.scheduler.InferenceRequest;
import dev.gantry.server.scheduler.ResponseListener;
import dev.gantry.server.validation.RequestValidator;
import dev.gantry.server.validation.ValidRequest;
import dev.gantry.spi.Tensor;
import io.grpc.Deadline;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one inference request from the wire to the scheduler: finds the model version, validates
 * the request, works out its deadline, and queues it with a listener that encodes the response.
 * Shared by the unary and the streaming call so both behave the same.
 *
 * <p>A request parsed into lent memory ({@link RequestMemory}) gives its loan back when the
 * scheduler releases its inputs, or at once if it is refused before the queue.
 */
final class InferenceDispatcher {
  private static final Logger log = LoggerFactory.getLogger(InferenceDispatcher.class);

  private final ModelRepository repository;
  private final RequestValidator validator;

  InferenceDispatcher(ModelRepository repository, RequestValidator validator) {
    this.repository = repository;
    this.validator = validator;
  }

  /** A queued request, which its call can withdraw if the caller goes away. */
  record Queued(LoadedVersion model, InferenceRequest request) {
    void cancel(String why) {
      model.scheduler().cancel(request, new CancelledException(why));
    }
  }

  /**
   * Queues a request; its outcome reaches exactly one of the two callbacks, from another thread;
   * for a request run on arrival, through this thread's event loop after this returns, or off an
   * event loop on this thread before it returns.
   *
   * @param deadline the call's gRPC deadline, or null
   * @throws GantryException when the request is rejected before it is queued
   */
  Queued submit(
      ModelInferRequest message,
      Deadline deadline,
      Consumer<ModelInferResponse> onResponse,
      Consumer<GantryException> onError) {
    DirectBufferPool.Loan memory = RequestMemory.take(message);
    try {
      return submit(message, memory, deadline, onResponse, onError);
    } catch (RuntimeException e) {
      if (memory != null) {
        memory.giveBack();
      }
      throw e;
    }
  }

  private Queued submit(
      ModelInferRequest message,
      DirectBufferPool.Loan memory,
      Deadline deadline,
      Consumer<ModelInferResponse> onResponse,
      Consumer<GantryException> onError) {
    long received = System.nanoTime();
    if (log.isDebugEnabled()) {
      log.debug("request '{}' for model '{}' version '{}': {} inputs", message.getId(),
          message.getModelName(), message.getModelVersion(), message.getInputsCount());
    }
    if (message.getModelName().isEmpty()) {
      throw new InvalidArgumentException("model_name is required");
    }
    LoadedVersion model = repository.resolve(message.getModelName(), message.getModelVersion());
    try {
      return submitTo(model, message, memory, deadline, received, onResponse, onError);
    } catch (UnavailableException e) {
      LoadedVersion replacement =
          repository.resolve(message.getModelName(), message.getModelVersion());
      if (replacement == model) {
        model.metrics().failed(e, System.nanoTime() - received);
        throw e;
      }
      return submitTo(replacement, message, memory, deadline, received, onResponse, onError);
    }
  }

  /**
   * Validates and queues a request on one loaded version.
   *
   * @throws UnavailableException when that version began unloading, perhaps because a reload just
   *     replaced it: the caller may try the version the repository serves now
   */
  private Queued submitTo(
      LoadedVersion model,
      ModelInferRequest message,
      DirectBufferPool.Loan memory,
      Deadline deadline,
      long received,
      Consumer<ModelInferResponse> onResponse,
      Consumer<GantryException> onError) {
    ModelMetrics metrics = model.metrics();
    ValidRequest valid;
    try {
      valid = validator.validate(message, model);
    } catch (GantryException e) {
      metrics.failed(e, System.nanoTime() - received);
      throw e;
    }
    long deadlineNanos = deadline == null
        ? InferenceRequest.NO_DEADLINE
        : received + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    String id = message.getId();
    Executor delivery = EventLoops.current();
    InferenceRequest request =
        new InferenceRequest(
            id,
            valid.inputs(),
            valid.outputs(),
            valid.batchSize(),
            valid.priorityLevel(),
            deadlineNanos,
            valid.timeoutNanos(),
            new ResponseListener() {
              @Override
              public Executor executor() {
                return delivery;
              }

              @Override
              public void onResponse(Map<String, Tensor> outputs) {
                ModelInferResponse response;
                try {
                  response = InferResponses.encode(model, id, valid, outputs);
                } catch (GantryException malformed) {
                  onError(malformed);
                  return;
                }
                metrics.succeeded(System.nanoTime() - received);
                onResponse.accept(response);
              }

              @Override
              public void onError(GantryException error) {
                metrics.failed(error, System.nanoTime() - received);
                onError.accept(error);
              }

              @Override
              public void inputsReleased() {
                if (memory != null) {
                  memory.giveBack();
                }
              }
            });
    try {
      model.scheduler().submit(request);
    } catch (UnavailableException e) {
      throw e;
    } catch (GantryException e) {
      metrics.failed(e, System.nanoTime() - received);
      throw e;
    }
    return new Queued(model, request);
  }
}
