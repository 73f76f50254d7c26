package dev.gantry.bench;

/** A ServerLive call answered {@code live: false}: counted as an error of the empty-RPC benchmark. */
final class NotLiveException extends Exception {
  private static final long serialVersionUID = 1L;

  NotLiveException() {
    super("the server answered live: false");
  }
}
