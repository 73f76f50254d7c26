package dev.gantry.server.affinity;

/** A thread could not be bound to the cores asked for; the message says which and why. */
public final class AffinityException extends Exception {
  public AffinityException(String message) {
    super(message);
  }
}
