package dev.gantry.bench;

/** How requests are sent ({@code --mode}). */
public enum Mode {
  /** Each outstanding request holds a thread blocked on its answer. */
  SYNC,
  /**
   * Requests are sent with {@code inferAsync} (with {@code -i http}, {@code HttpClient.sendAsync});
   * no thread waits for them.
   */
  ASYNC,
  /** All requests go over one bidirectional ModelStreamInfer stream. */
  STREAM
}
