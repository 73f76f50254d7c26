package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelInstanceGroup;
import dev.gantry.server.affinity.AffinityException;
import dev.gantry.server.affinity.CpuSet;
import dev.gantry.server.affinity.ThreadAffinity;
import dev.gantry.server.config.BatchingPolicies;
import dev.gantry.server.config.HostPolicies;
import dev.gantry.server.config.InstancePlacements;
import dev.gantry.server.config.InstancePlacements.Placement;
import dev.gantry.server.config.ModelConfigs;
import dev.gantry.server.config.ModelParameters;
import dev.gantry.server.metrics.ModelMetrics;
import dev.gantry.server.metrics.ServerMetrics;
import dev.gantry.server.scheduler.BatchingPolicy;
import dev.gantry.server.scheduler.ModelScheduler;
import dev.gantry.server.scheduler.Ticker;
import dev.gantry.spi.Backend;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Loads one model version: picks its backend, creates its instances where the configuration
 * places them (on the cores of their host policy), completes and checks the configuration against
 * the model, and starts its scheduler.
 */
public final class ModelLoader implements VersionLoader {
  /** The configuration parameter that sets a model's execution timeout, in milliseconds. */
  public static final String EXECUTION_TIMEOUT_PARAMETER = "execution_timeout_ms";

  private final Backends backends;
  private final ScheduledExecutorService timer;
  private final int defaultMaxQueueSize;
  private final ServerMetrics metrics;
  private final Duration defaultExecutionTimeout;
  private final HostPolicies hostPolicies;

  /**
   * @param defaultExecutionTimeout how long one execution may run before the watchdog fails it,
   *     for models whose configuration sets no {@value #EXECUTION_TIMEOUT_PARAMETER}; zero for no
   *     limit
   * @param hostPolicies the cores that instances run on, by host policy
   */
  public ModelLoader(
      Backends backends,
      ScheduledExecutorService timer,
      int defaultMaxQueueSize,
      ServerMetrics metrics,
      Duration defaultExecutionTimeout,
      HostPolicies hostPolicies) {
    this.backends = backends;
    this.timer = timer;
    this.defaultMaxQueueSize = defaultMaxQueueSize;
    this.metrics = metrics;
    this.defaultExecutionTimeout = defaultExecutionTimeout;
    this.hostPolicies = hostPolicies;
  }

  @Override
  public LoadedVersion load(String name, long version, Path modelDirectory, ModelConfig declared)
      throws ModelLoadException {
    long start = System.nanoTime();
    Duration executionTimeout = executionTimeout(declared);
    Instances loaded = loadInstances(backends, hostPolicies, name, version, modelDirectory, declared);
    try {
      BatchingPolicy policy = BatchingPolicies.from(loaded.config(), defaultMaxQueueSize);
      ClassLabels labels = ClassLabels.read(loaded.config(), modelDirectory);
      String label = LoadedVersion.label(name, version);
      ModelMetrics versionMetrics = metrics.forVersion(name, version);
      ModelScheduler scheduler =
          new ModelScheduler(
              label,
              "gantry-" + name + "-v" + version,
              policy,
              loaded.instances(),
              timer,
              Ticker.SYSTEM,
              versionMetrics,
              executionTimeout,
              loaded.cores());
      versionMetrics.watchQueue(policy.priorityLevels(),
          () -> scheduler.queued() + scheduler.executing(), scheduler::queued);
      versionMetrics.loaded(System.nanoTime() - start);
      return new LoadedVersion(
          name,
          version,
          loaded.config(),
          loaded.signature(),
          loaded.instances().stream().map(ModelInstance::device).toList(),
          scheduler,
          versionMetrics,
          labels);
    } catch (ModelLoadException | RuntimeException e) {
      loaded.close();
      throw e;
    }
  }

  /**
   * A model version's instances, created where the configuration places them and warmed up, with
   * the configuration completed against them and the signature they serve: all of a load but the
   * scheduler.
   *
   * @param cores the cores each instance is bound to, in the order of {@code instances}
   */
  public record Instances(
      ModelConfig config,
      ModelSignature signature,
      List<ModelInstance> instances,
      List<Optional<CpuSet>> cores) {
    /** Closes every instance. */
    public void close() {
      instances.forEach(ModelInstance::close);
    }
  }

  /**
   * Does all of {@link #load} but start a scheduler, so that a caller running the instances itself
   * (bench's in-process baseline) loads them exactly as the server does: same backend choice,
   * placement, configuration completion and warmup.
   *
   * @param declared the model's configuration as written (the default instance when it has none)
   * @throws ModelLoadException with the reason, after releasing whatever was created
   */
  public static Instances loadInstances(Backends backends, HostPolicies hostPolicies, String name,
      long version, Path modelDirectory, ModelConfig declared) throws ModelLoadException {
    Path versionDirectory = modelDirectory.resolve(Long.toString(version));
    Backend backend = backends.select(declared, versionDirectory);
    List<Placement> placements = InstancePlacements.from(declared);
    List<ModelInstance> instances = new ArrayList<>();
    List<Optional<CpuSet>> cores = new ArrayList<>();
    try {
      for (Placement placement : placements) {
        cores.add(hostPolicies.coresFor(placement));
      }
      for (int i = 0; i < placements.size(); i++) {
        InstanceSpec spec = spec(name, version, versionDirectory, declared, placements.get(i));
        instances.add(onCores(cores.get(i), placements.get(i), () -> backend.load(spec)));
      }
      ModelInstance first = instances.get(0);
      ModelConfig config = withActualPlacement(
          ModelConfigs.complete(declared, name, backend.name(), backend.platform(), first.signature()),
          instances, placements);
      ModelSignature signature = ModelConfigs.servedSignature(config, first.signature());
      for (int i = 0; i < instances.size(); i++) {
        ModelInstance instance = instances.get(i);
        onCores(cores.get(i), placements.get(i), () -> {
          Warmups.run(config, instance, modelDirectory);
          return null;
        });
      }
      return new Instances(config, signature, List.copyOf(instances), List.copyOf(cores));
    } catch (ModelLoadException | RuntimeException e) {
      instances.forEach(ModelInstance::close);
      throw e;
    }
  }

  /**
   * Runs a step of an instance's load (creating it, warming it up) with the loading thread bound
   * to the instance's cores, if it has any, so that threads the backend starts meanwhile run on
   * them too.
   */
  private static <T> T onCores(Optional<CpuSet> cores, Placement placement,
      ThreadAffinity.BoundCall<T, ModelLoadException> step) throws ModelLoadException {
    if (cores.isEmpty()) {
      return step.call();
    }
    try {
      return ThreadAffinity.callBound(cores.get(), step);
    } catch (AffinityException e) {
      throw new ModelLoadException(
          "host policy '" + placement.hostPolicy() + "': " + e.getMessage());
    }
  }

  /**
   * The configuration with its {@code instance_group}s replaced by where the instances really
   * run, one group per device and host policy, so that ModelConfig answers with the placement
   * that happened (for example KIND_CPU for a KIND_AUTO group on a machine without a usable GPU).
   */
  private static ModelConfig withActualPlacement(
      ModelConfig config, List<ModelInstance> instances, List<Placement> placements) {
    record Group(String device, String hostPolicy) {}
    Map<Group, Integer> perGroup = new LinkedHashMap<>();
    for (int i = 0; i < instances.size(); i++) {
      perGroup.merge(new Group(instances.get(i).device(), placements.get(i).hostPolicy()), 1,
          Integer::sum);
    }
    ModelConfig.Builder placed = config.toBuilder().clearInstanceGroup();
    perGroup.forEach((key, count) -> {
      String device = key.device();
      ModelInstanceGroup.Builder group = placed.addInstanceGroupBuilder()
          .setCount(count)
          .setHostPolicy(key.hostPolicy());
      if (device.startsWith("GPU ")) {
        group.setKind(ModelInstanceGroup.Kind.KIND_GPU)
            .addGpus(Integer.parseInt(device.substring(4).trim()));
      } else {
        group.setKind(ModelInstanceGroup.Kind.KIND_CPU);
      }
    });
    return placed.build();
  }

  /**
   * The model's {@value #EXECUTION_TIMEOUT_PARAMETER} parameter (0 for no limit), or the server's
   * default when it has none.
   */
  private Duration executionTimeout(ModelConfig config) throws ModelLoadException {
    OptionalLong millis = ModelParameters.wholeNumber(config, EXECUTION_TIMEOUT_PARAMETER,
        Long.MAX_VALUE / 1_000_000, "milliseconds, 0 or more (0: no limit)");
    return millis.isPresent() ? Duration.ofMillis(millis.getAsLong()) : defaultExecutionTimeout;
  }

  private static InstanceSpec spec(
      String name, long version, Path versionDirectory, ModelConfig config, Placement placement) {
    Map<String, String> parameters = new HashMap<>();
    config.getParametersMap().forEach((key, value) -> parameters.put(key, value.getStringValue()));
    return new InstanceSpec(
        name,
        version,
        versionDirectory,
        config.getDefaultModelFilename().isEmpty()
            ? Optional.empty()
            : Optional.of(config.getDefaultModelFilename()),
        config.getMaxBatchSize(),
        parameters,
        placement.kind(),
        placement.deviceId());
  }
}
