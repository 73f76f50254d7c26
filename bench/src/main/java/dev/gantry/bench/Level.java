package dev.gantry.bench;

/**
 * One load level of a run: a number of outstanding requests (closed loop) or a request rate in
 * requests per second (open loop).
 */
public record Level(Kind kind, double value) {
  /** How the load is held. */
  public enum Kind {
    CONCURRENCY("Concurrency"),
    REQUEST_RATE("Request Rate");

    private final String title;

    Kind(String title) {
      this.title = title;
    }

    /** The column title, as perf_analyzer's CSV names it. */
    public String title() {
      return title;
    }
  }

  /** The value as written in reports: whole numbers without a fraction. */
  public String formatted() {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /** The concurrency, for closed-loop levels. */
  public int concurrency() {
    return (int) value;
  }
}
