package dev.gantry.server.metrics;

import static dev.gantry.server.metrics.Export.MILLIS_PER_SECOND;
import static dev.gantry.server.metrics.Export.NANOS_PER_MICROSECOND;
import static dev.gantry.server.metrics.Export.NANOS_PER_SECOND;

import dev.gantry.server.metrics.Export.Type;
import dev.gantry.server.metrics.Export.Value;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The names under which the registry is exposed to Prometheus ({@code --metrics-names}).
 *
 * <p>{@link #GANTRY} follows Prometheus' conventions: base units (seconds), {@code _total} on
 * counters, histograms for durations, a {@code # HELP} on every family. {@link #TRITON} exposes
 * the same numbers under the names, units and labels of Triton's per-model metrics, so a Triton
 * dashboard works unchanged, and keeps Gantry's names for what Triton does not have.
 */
public enum MetricNames {
  GANTRY,
  TRITON;

  /** The families exported under these names, in exposition order. */
  List<Export> exports() {
    return this == GANTRY ? Tables.GANTRY : Tables.TRITON;
  }

  /** The two tables; every {@link Family} has at least one export under Gantry's names. */
  private static final class Tables {
    static final List<Export> GANTRY = List.of(
        Export.of(Family.REQUEST_DURATION, Type.COUNTER, "gantry_request_success", Value.COUNT, 1,
            "Requests answered successfully."),
        Export.of(Family.REQUEST_DURATION, Type.HISTOGRAM, "gantry_request_duration_seconds",
            Value.BUCKETS, NANOS_PER_SECOND,
            "Time in the server of the requests answered successfully, from receipt to answer."),
        Export.of(Family.REQUEST_FAILURE, Type.COUNTER, "gantry_request_failure", Value.NUMBER, 1,
            "Requests that failed, by reason: invalid, rejected, timed_out, cancelled, "
                + "unavailable, backend_error."),
        Export.of(Family.REQUEST_FAILURE_DURATION, Type.COUNTER,
            "gantry_request_failure_duration_seconds", Value.NUMBER, NANOS_PER_SECOND,
            "Time in the server of the requests that failed, in total."),
        Export.of(Family.QUEUE_DURATION, Type.HISTOGRAM, "gantry_queue_duration_seconds",
            Value.BUCKETS, NANOS_PER_SECOND,
            "Time the requests of successful executions waited in the queue."),
        Export.of(Family.COMPUTE_INPUT_DURATION, Type.HISTOGRAM,
            "gantry_compute_input_duration_seconds", Value.BUCKETS, NANOS_PER_SECOND,
            "Per request of a successful execution, the time its batch's inputs took to prepare."),
        Export.of(Family.COMPUTE_INFER_DURATION, Type.HISTOGRAM,
            "gantry_compute_infer_duration_seconds", Value.BUCKETS, NANOS_PER_SECOND,
            "Per request of a successful execution, the time the model ran on its batch."),
        Export.of(Family.COMPUTE_OUTPUT_DURATION, Type.HISTOGRAM,
            "gantry_compute_output_duration_seconds", Value.BUCKETS, NANOS_PER_SECOND,
            "Per request of a successful execution, the time its batch's outputs took to read."),
        Export.of(Family.INFERENCES, Type.COUNTER, "gantry_inferences", Value.NUMBER, 1,
            "Batch items inferred: a request of batch size n counts n."),
        Export.of(Family.EXECUTIONS, Type.COUNTER, "gantry_executions", Value.NUMBER, 1,
            "Successful model executions, one per batch run."),
        Export.of(Family.BATCH_REQUESTS, Type.HISTOGRAM, "gantry_batch_requests", Value.BUCKETS, 1,
            "Requests per execution."),
        Export.of(Family.BATCH_ITEMS, Type.HISTOGRAM, "gantry_batch_items", Value.BUCKETS, 1,
            "Batch items per execution."),
        Export.of(Family.BATCH_DISPATCH, Type.COUNTER, "gantry_batch_dispatch", Value.NUMBER, 1,
            "Batches that left the queue, by reason: full, preferred, delay, deadline, drain, "
                + "unbatched."),
        Export.of(Family.BATCH_EXECUTIONS, Type.COUNTER, "gantry_batch_executions", Value.NUMBER,
            1, "Successful executions by batch size in items."),
        Export.of(Family.BATCH_INPUT_DURATION, Type.COUNTER,
            "gantry_batch_compute_input_duration_seconds", Value.NUMBER, NANOS_PER_SECOND,
            "Input preparation time of the executions of each batch size, each counted once."),
        Export.of(Family.BATCH_INFER_DURATION, Type.COUNTER,
            "gantry_batch_compute_infer_duration_seconds", Value.NUMBER, NANOS_PER_SECOND,
            "Model run time of the executions of each batch size, each counted once."),
        Export.of(Family.BATCH_OUTPUT_DURATION, Type.COUNTER,
            "gantry_batch_compute_output_duration_seconds", Value.NUMBER, NANOS_PER_SECOND,
            "Output reading time of the executions of each batch size, each counted once."),
        Export.of(Family.PENDING_REQUESTS, Type.GAUGE, "gantry_pending_requests", Value.NUMBER, 1,
            "Requests queued or executing now."),
        Export.of(Family.QUEUE_DEPTH, Type.GAUGE, "gantry_queue_depth", Value.NUMBER, 1,
            "Requests queued now, per priority level."),
        Export.of(Family.LAST_INFERENCE, Type.GAUGE, "gantry_last_inference_timestamp_seconds",
            Value.NUMBER, MILLIS_PER_SECOND,
            "When the last successful execution ended, in seconds since the epoch; 0 before."),
        Export.of(Family.LOAD_DURATION, Type.GAUGE, "gantry_model_load_duration_seconds",
            Value.NUMBER, NANOS_PER_SECOND, "How long the version took to load."),
        Export.of(Family.LOAD_FAILURES, Type.COUNTER, "gantry_model_load_failures", Value.NUMBER,
            1, "Versions of the model that failed to load."),
        Export.of(Family.GRPC_CALLS, Type.COUNTER, "gantry_grpc_calls", Value.NUMBER, 1,
            "gRPC calls ended, by method and status code."),
        Export.of(Family.GRPC_IN_FLIGHT, Type.GAUGE, "gantry_grpc_calls_in_flight", Value.NUMBER,
            1, "gRPC calls in progress, by method."));

    /** The families Triton's names replace; the others keep Gantry's names. */
    static final Set<Family> TRITON_REPLACES = EnumSet.of(
        Family.REQUEST_DURATION, Family.REQUEST_FAILURE, Family.QUEUE_DURATION,
        Family.COMPUTE_INPUT_DURATION, Family.COMPUTE_INFER_DURATION,
        Family.COMPUTE_OUTPUT_DURATION, Family.INFERENCES, Family.EXECUTIONS);

    /**
     * Triton's per-model families. Its counters have no {@code _total}, which the Prometheus
     * writers add to every counter (in OpenMetrics a counter's sample must have it), so they are
     * exported untyped: the series names are Triton's in either format.
     */
    static final List<Export> TRITON_ONLY = List.of(
        Export.of(Family.REQUEST_DURATION, Type.UNTYPED, "nv_inference_request_success",
            Value.COUNT, 1, "Requests answered successfully (a counter)."),
        Export.of(Family.REQUEST_FAILURE, Type.UNTYPED, "nv_inference_request_failure",
            Value.NUMBER, 1, "Requests that failed, by reason: REJECTED, CANCELED, BACKEND, "
                + "OTHER (a counter).")
            .relabelled(mapValue("reason", FailureReason::tritonLabel)),
        Export.of(Family.INFERENCES, Type.UNTYPED, "nv_inference_count", Value.NUMBER, 1,
            "Batch items inferred: a request of batch size n counts n (a counter)."),
        Export.of(Family.EXECUTIONS, Type.UNTYPED, "nv_inference_exec_count", Value.NUMBER, 1,
            "Successful model executions, one per batch run (a counter)."),
        Export.of(Family.REQUEST_DURATION, Type.UNTYPED, "nv_inference_request_duration_us",
            Value.SUM, NANOS_PER_MICROSECOND,
            "Time in the server of the requests answered successfully, in microseconds in total "
                + "(a counter)."),
        Export.of(Family.QUEUE_DURATION, Type.UNTYPED, "nv_inference_queue_duration_us",
            Value.SUM, NANOS_PER_MICROSECOND,
            "Time the requests of successful executions waited in the queue, in microseconds in "
                + "total (a counter)."),
        Export.of(Family.COMPUTE_INPUT_DURATION, Type.UNTYPED,
            "nv_inference_compute_input_duration_us", Value.SUM, NANOS_PER_MICROSECOND,
            "Per request, its batch's input preparation time, in microseconds in total "
                + "(a counter)."),
        Export.of(Family.COMPUTE_INFER_DURATION, Type.UNTYPED,
            "nv_inference_compute_infer_duration_us", Value.SUM, NANOS_PER_MICROSECOND,
            "Per request, the model's run time on its batch, in microseconds in total "
                + "(a counter)."),
        Export.of(Family.COMPUTE_OUTPUT_DURATION, Type.UNTYPED,
            "nv_inference_compute_output_duration_us", Value.SUM, NANOS_PER_MICROSECOND,
            "Per request, its batch's output reading time, in microseconds in total "
                + "(a counter)."),
        Export.of(Family.QUEUE_DEPTH, Type.GAUGE, "nv_inference_pending_request_count",
            Value.NUMBER, 1, "Requests queued now, not yet executing.")
            .relabelled(dropLabel("priority")));

    static final List<Export> TRITON = triton();

    private static List<Export> triton() {
      List<Export> exports = new ArrayList<>(TRITON_ONLY);
      GANTRY.stream().filter(e -> !TRITON_REPLACES.contains(e.family())).forEach(exports::add);
      return List.copyOf(exports);
    }

    private static UnaryOperator<Map<String, String>> mapValue(
        String label, UnaryOperator<String> mapping) {
      return labels -> {
        Map<String, String> mapped = new LinkedHashMap<>(labels);
        mapped.computeIfPresent(label, (name, value) -> mapping.apply(value));
        return mapped;
      };
    }

    private static UnaryOperator<Map<String, String>> dropLabel(String label) {
      return labels -> {
        Map<String, String> kept = new LinkedHashMap<>(labels);
        kept.remove(label);
        return kept;
      };
    }
  }
}
