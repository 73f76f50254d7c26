package dev.gantry.client;

import io.grpc.Status;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a client retries calls that failed because the server was briefly unable to take them.
 *
 * <p>A server that is restarting, overloaded or scaling answers {@code UNAVAILABLE} or {@code
 * RESOURCE_EXHAUSTED}; trying again a little later usually works. This policy retries those two
 * codes with exponentially growing, jittered pauses, never past the call's deadline. A budget
 * shared by all calls of a client stops retries from multiplying the load on a server that stays
 * down: each retry spends a token, each success earns back a fraction of one, and when the tokens
 * are gone failures are returned at once.
 *
 * <p>The client retries only calls that are safe to repeat (health, metadata, configuration,
 * statistics, repository index) unless it is told that inference may be retried too.
 */
public final class RetryPolicy {
  private static final Set<Status.Code> RETRYABLE =
      EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED);

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final double multiplier;
  private final double jitter;
  private final int budgetTokens;
  private final double tokensPerSuccess;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.multiplier = builder.multiplier;
    this.jitter = builder.jitter;
    this.budgetTokens = builder.budgetTokens;
    this.tokensPerSuccess = builder.tokensPerSuccess;
  }

  /**
   * The default policy: up to 4 attempts, pauses from 100 ms doubling up to 5 s with 20% jitter, a
   * budget of 10 retries earning back 0.1 token per success.
   */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /** A policy that never retries. */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  /** A builder starting from the {@linkplain #defaults() default} values. */
  public static Builder builder() {
    return new Builder();
  }

  /** The most attempts one call makes, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The number of retry tokens the budget starts with and never exceeds. */
  public int budgetTokens() {
    return budgetTokens;
  }

  /** The tokens a successful call returns to the budget. */
  public double tokensPerSuccess() {
    return tokensPerSuccess;
  }

  boolean isRetryable(Status.Code code) {
    return RETRYABLE.contains(code);
  }

  /** The pause before attempt {@code retry + 1}, where {@code retry} counts from 1. */
  long backoffNanos(int retry) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1);
    double capped = Math.min(nanos, maxBackoff.toNanos());
    double spread = 1 - jitter * ThreadLocalRandom.current().nextDouble();
    return (long) (capped * spread);
  }

  /** Builds a {@link RetryPolicy}; every setter checks its argument. */
  public static final class Builder {
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private double multiplier = 2.0;
    private double jitter = 0.2;
    private int budgetTokens = 10;
    private double tokensPerSuccess = 0.1;

    private Builder() {}

    /** The most attempts per call, at least 1 (1 disables retries). */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The pause before the first retry. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = positive("initialBackoff", initialBackoff);
      return this;
    }

    /** The longest pause between attempts. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive("maxBackoff", maxBackoff);
      return this;
    }

    /** The factor each pause grows by, at least 1. */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1)) {
        throw new IllegalArgumentException("multiplier must be at least 1: " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /** The fraction, from 0 to 1, by which each pause is randomly shortened. */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0 && jitter <= 1)) {
        throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * The retry budget shared by all calls of a client.
     *
     * @param tokens the retries available at first and at most, at least 0
     * @param tokensPerSuccess the tokens each successful call earns back, at least 0
     */
    public Builder budget(int tokens, double tokensPerSuccess) {
      if (tokens < 0 || !(tokensPerSuccess >= 0)) {
        throw new IllegalArgumentException(
            "budget must not be negative: "
                + tokens
                + " tokens, "
                + tokensPerSuccess
                + " per success");
      }
      this.budgetTokens = tokens;
      this.tokensPerSuccess = tokensPerSuccess;
      return this;
    }

    /** The policy; the initial backoff must not exceed the maximum. */
    public RetryPolicy build() {
      if (initialBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalArgumentException(
            "initialBackoff " + initialBackoff + " exceeds maxBackoff " + maxBackoff);
      }
      return new RetryPolicy(this);
    }

    private static Duration positive(String name, Duration duration) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }
  }
}
