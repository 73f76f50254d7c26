package dev.gantry.client;

/**
 * The retry tokens a client has left, shared by all its calls.
 *
 * <p>Keeps a burst of failures from turning into a storm of retries against a server that is down:
 * retries draw from a bounded pool that only successful calls refill.
 */
final class RetryBudget {
  private final double capacity;
  private final double tokensPerSuccess;
  private double tokens;

  RetryBudget(RetryPolicy policy) {
    this.capacity = policy.budgetTokens();
    this.tokensPerSuccess = policy.tokensPerSuccess();
    this.tokens = capacity;
  }

  /** Takes one token for a retry; false, taking nothing, when fewer than one is left. */
  synchronized boolean tryAcquire() {
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Credits a successful call. */
  synchronized void onSuccess() {
    tokens = Math.min(capacity, tokens + tokensPerSuccess);
  }
}
