package dev.gantry.bench;

import java.util.concurrent.CompletableFuture;

/**
 * Sends the benchmark's requests of one kind (unary or streamed inference, ServerLive, or an
 * in-process execution), so that the load drivers need not know what they drive.
 *
 * <p>Blocking kinds (ServerLive, in-process) do their work inside {@link #issue} and return a
 * completed future; only non-blocking kinds may be driven asynchronously.
 */
interface RequestIssuer extends AutoCloseable {
  /**
   * Sends request number {@code sequence} (requests cycle through the prepared data).
   *
   * @return completed with the client's share of the time, or failed with the request's error
   */
  CompletableFuture<ClientTime> issue(long sequence);

  /** Releases what the issuer holds open, such as a stream; bounded in time. */
  @Override
  default void close() {}

  /** A failed future for an error thrown while sending. */
  static CompletableFuture<ClientTime> failed(Throwable error) {
    return CompletableFuture.failedFuture(error);
  }
}
