package dev.gantry.bench;

/**
 * How each load level is measured, from the command line.
 *
 * @param intervalMillis the length of a time window; in count mode, a tenth of a window's time limit
 * @param requestCount the requests per window in count mode; 0 for time windows
 * @param stabilityPercentage how closely the last three windows must agree
 * @param percentile the latency percentile judged for stability; 0 for the mean
 * @param maxTrials the most windows per level
 * @param warmupRequests requests completed before the first window
 * @param warmupMillis the longest the warm-up may take
 */
record MeasureSettings(long intervalMillis, long requestCount, double stabilityPercentage,
    int percentile, int maxTrials, long warmupRequests, long warmupMillis) {

  /** How long a count window may last before it ends anyway. */
  long countWindowLimitMillis() {
    return 10 * intervalMillis;
  }
}
