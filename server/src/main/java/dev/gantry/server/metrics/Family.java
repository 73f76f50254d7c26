package dev.gantry.server.metrics;

import java.util.List;

/**
 * Every labelled metric Gantry registers, with its label names: the one list from which Dropwizard
 * names are built and label values are read back. How each is exposed to Prometheus, under which
 * name and type, is {@link MetricNames}' business.
 *
 * <p>A Dropwizard name is the family's key followed by one dot-separated segment per label value,
 * e.g. {@code gantry_request_duration.simple.1}. Durations are held in nanoseconds, as Dropwizard
 * does; the exposition converts them.
 */
enum Family {
  /** Successful requests' time in the server ({@link BucketHistogram}, nanoseconds). */
  REQUEST_DURATION("gantry_request_duration", "model", "version"),
  /** Failed requests by {@link FailureReason} (counter). */
  REQUEST_FAILURE("gantry_request_failure", "model", "version", "reason"),
  /** Failed requests' time in the server (counter, nanoseconds). */
  REQUEST_FAILURE_DURATION("gantry_request_failure_duration", "model", "version"),
  /** Queue time of the requests of successful executions (histogram, nanoseconds). */
  QUEUE_DURATION("gantry_queue_duration", "model", "version"),
  /** Per request, its batch's compute phases (histograms, nanoseconds). */
  COMPUTE_INPUT_DURATION("gantry_compute_input_duration", "model", "version"),
  COMPUTE_INFER_DURATION("gantry_compute_infer_duration", "model", "version"),
  COMPUTE_OUTPUT_DURATION("gantry_compute_output_duration", "model", "version"),
  /** Batch items inferred and executions run (counters). */
  INFERENCES("gantry_inferences", "model", "version"),
  EXECUTIONS("gantry_executions", "model", "version"),
  /** Requests and items per execution (histograms). */
  BATCH_REQUESTS("gantry_batch_requests", "model", "version"),
  BATCH_ITEMS("gantry_batch_items", "model", "version"),
  /** Why batches left the queue (counter). */
  BATCH_DISPATCH("gantry_batch_dispatch", "model", "version", "reason"),
  /** Executions per batch size and their compute phases, each counted once (counters). */
  BATCH_EXECUTIONS("gantry_batch_executions", "model", "version", "batch_size"),
  BATCH_INPUT_DURATION("gantry_batch_compute_input_duration", "model", "version", "batch_size"),
  BATCH_INFER_DURATION("gantry_batch_compute_infer_duration", "model", "version", "batch_size"),
  BATCH_OUTPUT_DURATION("gantry_batch_compute_output_duration", "model", "version", "batch_size"),
  /** Requests queued or executing, and queued per priority level (gauges). */
  PENDING_REQUESTS("gantry_pending_requests", "model", "version"),
  QUEUE_DEPTH("gantry_queue_depth", "model", "version", "priority"),
  /** Milliseconds since the epoch of the last successful execution (gauge). */
  LAST_INFERENCE("gantry_last_inference", "model", "version"),
  /** How long the version took to load (gauge, nanoseconds). */
  LOAD_DURATION("gantry_model_load_duration", "model", "version"),
  /** Versions that failed to load (counter). */
  LOAD_FAILURES("gantry_model_load_failures", "model"),
  /** gRPC calls ended, by method and status code (counter). */
  GRPC_CALLS("gantry_grpc_calls", "method", "code"),
  /** gRPC calls in flight (a counter that goes down too). */
  GRPC_IN_FLIGHT("gantry_grpc_calls_in_flight", "method");

  private final String key;
  private final List<String> labels;

  Family(String key, String... labels) {
    this.key = key;
    this.labels = List.of(labels);
  }

  String key() {
    return key;
  }

  List<String> labels() {
    return labels;
  }

  /** The family and label values of a Dropwizard name built by {@link #name}. */
  static Named decode(String name) {
    for (Family family : values()) {
      String[] values = family.labelValues(name);
      if (values != null) {
        return new Named(family, values);
      }
    }
    throw new IllegalStateException("metric " + name + " is not of any Family");
  }

  /** A registered metric's family and label values. */
  record Named(Family family, String[] values) {}

  /**
   * The label values encoded in a Dropwizard name of this family, or null if the name is not of
   * this family.
   */
  private String[] labelValues(String name) {
    if (!name.startsWith(key + ".")) {
      return null;
    }
    String[] values = name.substring(key.length() + 1).split("\\.", -1);
    if (values.length != labels.size()) {
      return null;
    }
    for (int i = 0; i < values.length; i++) {
      values[i] = values[i].replace("%2E", ".").replace("%25", "%");
    }
    return values;
  }

  /**
   * The Dropwizard name for these label values. A dot inside a value would split it, so dots are
   * written {@code %2E} (and {@code %} as {@code %25}).
   */
  String name(String... values) {
    if (values.length != labels.size()) {
      throw new IllegalArgumentException(key + " takes labels " + labels);
    }
    StringBuilder name = new StringBuilder(key);
    for (String value : values) {
      name.append('.').append(value.replace("%", "%25").replace(".", "%2E"));
    }
    return name.toString();
  }
}
