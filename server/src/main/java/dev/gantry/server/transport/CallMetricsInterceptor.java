package dev.gantry.server.transport;

import com.codahale.metrics.Counter;
import dev.gantry.server.metrics.ServerMetrics;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts every gRPC call by method and final status, and the calls in flight per method.
 *
 * <p>Each method's counters are looked up once and kept by its descriptor, so that a call costs
 * two counter updates, not a method-name substring and three map lookups.
 */
public final class CallMetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;
  private final Map<MethodDescriptor<?, ?>, MethodCounters> byMethod = new ConcurrentHashMap<>();

  public CallMetricsInterceptor(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    MethodDescriptor<Q, R> descriptor = call.getMethodDescriptor();
    MethodCounters counters = byMethod.get(descriptor);
    if (counters == null) {
      counters = byMethod.computeIfAbsent(descriptor, this::countersOf);
    }
    CountedCall<Q, R> counted = new CountedCall<>(call, counters);
    return new SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
      @Override
      public void onCancel() {
        counted.ended(Status.Code.CANCELLED);
        super.onCancel();
      }
    };
  }

  private MethodCounters countersOf(MethodDescriptor<?, ?> descriptor) {
    String bare = descriptor.getBareMethodName();
    String method = bare == null ? "unknown" : bare;
    return new MethodCounters(method, metrics.inFlight(method));
  }

  /** One method's in-flight counter and its ended-call counters, filled in per status code. */
  private final class MethodCounters {
    private final String method;
    private final Counter inFlight;
    private final AtomicReferenceArray<Counter> ended =
        new AtomicReferenceArray<>(Status.Code.values().length);

    MethodCounters(String method, Counter inFlight) {
      this.method = method;
      this.inFlight = inFlight;
    }

    Counter ended(Status.Code code) {
      Counter counter = ended.get(code.ordinal());
      if (counter == null) {
        counter = metrics.callsEnded(method, code.name());
        ended.set(code.ordinal(), counter);
      }
      return counter;
    }
  }

  /** A call counted in flight until it closes or is cancelled, whichever comes first. */
  private static final class CountedCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final MethodCounters counters;
    private final AtomicBoolean ended = new AtomicBoolean();

    CountedCall(ServerCall<Q, R> call, MethodCounters counters) {
      super(call);
      this.counters = counters;
      counters.inFlight.inc();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      ended(status.getCode());
      super.close(status, trailers);
    }

    void ended(Status.Code code) {
      if (ended.compareAndSet(false, true)) {
        counters.inFlight.dec();
        counters.ended(code).inc();
      }
    }
  }
}
