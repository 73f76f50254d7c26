package dev.gantry.bench;

import dev.gantry.spi.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A model loaded in this process through the backend SPI ({@code --in-process}): requests run on
 * the calling threads with no server in between, the benchmark's own measurements stand in for
 * the server's statistics, and CPU time is this process's.
 */
final class LocalSession implements Session {
  private final LocalModel model;
  private final PhaseTotals totals = new PhaseTotals();

  private LocalSession(LocalModel model) {
    this.model = model;
  }

  /** @throws SetupException when the model cannot be loaded */
  static LocalSession open(Path repository, String name, String version) throws SetupException {
    try {
      return new LocalSession(LocalModel.load(repository, name, version));
    } catch (ModelLoadException | RuntimeException e) {
      throw new SetupException("cannot load model '" + name + "' in-process: " + e.getMessage(), e);
    }
  }

  ModelInfo model() {
    return model.info();
  }

  @Override
  public String target() {
    return "in-process";
  }

  @Override
  public String server() {
    return "backend SPI, " + model.instances().size() + " instance(s) on "
        + model.instances().get(0).device();
  }

  @Override
  public StatsSource stats(ModelInfo ignored) {
    return totals;
  }

  @Override
  public CpuClocks cpu() {
    return new CpuClocks(CpuClocks.self(), Optional.empty());
  }

  @Override
  public Supplier<RequestIssuer> issuers(Mode mode, ModelInfo info, List<RequestData> data) {
    InProcessIssuer issuer = new InProcessIssuer(model, data, totals);
    return () -> issuer;
  }

  @Override
  public void close() {
    model.close();
  }
}
