package dev.gantry.bench;

/**
 * Picks the load driver for a mode and a level: sync mode holds threads, async and stream modes
 * hold outstanding requests; closed loops keep a number outstanding, open loops follow a schedule.
 *
 * @param mode how requests are sent
 * @param poisson whether open-loop gaps are exponential rather than even
 * @param maxThreads the thread pool of open-loop sync mode
 * @param maxOutstanding the limit of outstanding requests of open-loop async and stream modes
 */
record Drivers(Mode mode, boolean poisson, int maxThreads, int maxOutstanding) {
  private static final long SEED = 1;

  LoadDriver create(Level level, RequestIssuer issuer, WindowRecorder recorder, RunLimits limits) {
    if (level.kind() == Level.Kind.CONCURRENCY) {
      return mode == Mode.SYNC
          ? new SyncClosedLoop(issuer, level.concurrency(), recorder, limits)
          : new PushLoop(new AsyncSender(issuer, level.concurrency(), recorder, limits), null, limits);
    }
    Schedule schedule = poisson
        ? Schedule.poisson(level.value(), SEED)
        : Schedule.constant(level.value());
    Sender sender = mode == Mode.SYNC
        ? new PooledSender(issuer, maxThreads, recorder, limits)
        : new AsyncSender(issuer, maxOutstanding, recorder, limits);
    return new PushLoop(sender, schedule, limits);
  }
}
