package dev.gantry.bench;

import java.util.List;
import java.util.function.Supplier;

/**
 * The thing being measured, served remotely or loaded in-process: what the run needs from it
 * besides the load itself, so that both are measured and reported the same way.
 */
interface Session extends AutoCloseable {
  /** Where requests go, for the report: {@code host:port} or {@code in-process}. */
  String target();

  /** The server's name and version, or the backend in-process. */
  String server();

  /** Where the server-side split of this model comes from; {@code null} for no model. */
  StatsSource stats(ModelInfo model);

  /** The processes whose CPU time is measured. */
  CpuClocks cpu();

  /** Opens the issuer of one load level for these requests. */
  Supplier<RequestIssuer> issuers(Mode mode, ModelInfo model, List<RequestData> data)
      throws SetupException;

  @Override
  void close();
}
