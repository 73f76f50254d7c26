package dev.gantry.server.transport;

import dev.gantry.server.metrics.ServerMetrics;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import com.codahale.metrics.Counter;
import java.util.concurrent.atomic.AtomicBoolean;

/** Counts every gRPC call by method and final status, and the calls in flight per method. */
public final class CallMetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;

  public CallMetricsInterceptor(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    Counter inFlight = metrics.inFlight(method == null ? "unknown" : method);
    AtomicBoolean ended = new AtomicBoolean();
    inFlight.inc();
    ServerCall<Q, R> counted = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (ended.compareAndSet(false, true)) {
          inFlight.dec();
          metrics.callEnded(method, status.getCode().name());
        }
        super.close(status, trailers);
      }
    };
    return new SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
      @Override
      public void onCancel() {
        if (ended.compareAndSet(false, true)) {
          inFlight.dec();
          metrics.callEnded(method, Status.Code.CANCELLED.name());
        }
        super.onCancel();
      }
    };
  }
}
