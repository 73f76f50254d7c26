package dev.gantry.bench;

/**
 * Where the server-side split comes from: a server's ModelStatistics, the in-process benchmark's
 * own measurements, or nothing when the server does not report statistics.
 */
interface StatsSource {
  /** Reports nothing, for servers without the {@code statistics} extension. */
  StatsSource NONE = () -> ServerStats.ZERO;

  /** The cumulative statistics now. */
  ServerStats snapshot();
}
