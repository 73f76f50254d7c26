package dev.gantry.server.metrics;

import java.util.List;

/**
 * Every labelled metric family Gantry exports, with its label names: the one list from which
 * Dropwizard names are built and Prometheus labels are mapped back.
 *
 * <p>A Dropwizard name is the family name followed by one dot-separated segment per label value,
 * e.g. {@code gantry_request_success.simple.1}; {@link PrometheusView} turns it back into {@code
 * gantry_request_success{model="simple",version="1"}}.
 */
enum Family {
  REQUEST_SUCCESS("gantry_request_success", "model", "version"),
  REQUEST_SUCCESS_NS("gantry_request_success_duration_ns", "model", "version"),
  REQUEST_FAILURE("gantry_request_failure", "model", "version", "reason"),
  REQUEST_FAILURE_NS("gantry_request_failure_duration_ns", "model", "version"),
  QUEUE_REQUESTS("gantry_queue_requests", "model", "version"),
  QUEUE_NS("gantry_queue_duration_ns", "model", "version"),
  COMPUTE_REQUESTS("gantry_compute_requests", "model", "version"),
  COMPUTE_INPUT_NS("gantry_compute_input_duration_ns", "model", "version"),
  COMPUTE_INFER_NS("gantry_compute_infer_duration_ns", "model", "version"),
  COMPUTE_OUTPUT_NS("gantry_compute_output_duration_ns", "model", "version"),
  INFERENCES("gantry_inference_count", "model", "version"),
  EXECUTIONS("gantry_execution_count", "model", "version"),
  REQUEST_LATENCY("gantry_request_latency", "model", "version"),
  QUEUE_LATENCY("gantry_queue_latency", "model", "version"),
  COMPUTE_INPUT_LATENCY("gantry_compute_input_latency", "model", "version"),
  COMPUTE_INFER_LATENCY("gantry_compute_infer_latency", "model", "version"),
  COMPUTE_OUTPUT_LATENCY("gantry_compute_output_latency", "model", "version"),
  BATCH_REQUESTS("gantry_batch_requests", "model", "version"),
  BATCH_ITEMS("gantry_batch_items", "model", "version"),
  BATCH_DISPATCH("gantry_batch_dispatch", "model", "version", "reason"),
  BATCH_EXECUTIONS("gantry_batch_executions", "model", "version", "batch_size"),
  BATCH_INPUT_NS("gantry_batch_compute_input_duration_ns", "model", "version", "batch_size"),
  BATCH_INFER_NS("gantry_batch_compute_infer_duration_ns", "model", "version", "batch_size"),
  BATCH_OUTPUT_NS("gantry_batch_compute_output_duration_ns", "model", "version", "batch_size"),
  PENDING_REQUESTS("gantry_pending_requests", "model", "version"),
  QUEUE_DEPTH("gantry_queue_depth", "model", "version", "priority"),
  LAST_INFERENCE_MS("gantry_last_inference_timestamp_ms", "model", "version"),
  LOAD_DURATION_MS("gantry_model_load_duration_ms", "model", "version"),
  LOAD_FAILURES("gantry_model_load_failures", "model"),
  GRPC_CALLS("gantry_grpc_calls", "method", "code"),
  GRPC_IN_FLIGHT("gantry_grpc_calls_in_flight", "method");

  /** Families counted with a Dropwizard counter that can go down, so exported as gauges. */
  static final java.util.Set<Family> UP_DOWN = java.util.EnumSet.of(GRPC_IN_FLIGHT);

  private final String prefix;
  private final List<String> labels;

  Family(String prefix, String... labels) {
    this.prefix = prefix;
    this.labels = List.of(labels);
  }

  String prefix() {
    return prefix;
  }

  List<String> labels() {
    return labels;
  }

  /**
   * The label values encoded in a Dropwizard name of this family, or null if the name is not of
   * this family.
   */
  String[] labelValues(String name) {
    if (!name.startsWith(prefix + ".")) {
      return null;
    }
    String[] values = name.substring(prefix.length() + 1).split("\\.", -1);
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
      throw new IllegalArgumentException(prefix + " takes labels " + labels);
    }
    StringBuilder name = new StringBuilder(prefix);
    for (String value : values) {
      name.append('.').append(value.replace("%", "%25").replace(".", "%2E"));
    }
    return name.toString();
  }
}
