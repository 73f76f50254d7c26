package dev.gantry.bench;

/**
 * The time one request spent in the client itself rather than in the RPC: building and handing the
 * request to the transport, and taking the outputs out of the response. Reported as perf_analyzer's
 * "Client Send" and "Client Recv".
 */
record ClientTime(long sendNanos, long receiveNanos) {
  /** For requests whose client side is not measured. */
  static final ClientTime NONE = new ClientTime(0, 0);
}
