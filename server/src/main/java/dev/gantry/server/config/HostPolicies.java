package dev.gantry.server.config;

import dev.gantry.server.affinity.AffinityException;
import dev.gantry.server.affinity.CpuSet;
import dev.gantry.server.affinity.ThreadAffinity;
import dev.gantry.server.config.InstancePlacements.Placement;
import dev.gantry.spi.ModelLoadException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host policies given at start-up, as Triton spells them: {@code --host-policy
 * NAME,cpu-cores=LIST}. Each names the cores that the instances following it run on; an instance
 * follows its group's {@code host_policy}, or by default {@code cpu} ({@code gpu_<id>} for GPU
 * instances). Binding an instance binds the thread that executes its batches and, while the
 * backend loads it, the loading thread, so that threads the backend starts then (ONNX Runtime's
 * and TensorFlow's thread pools) run on the same cores.
 *
 * <p>A policy that names a core the machine does not have online is refused at start-up; a
 * configuration that names a policy nobody defined fails its load. Default names without a
 * definition bind nothing, as in Triton.
 */
public final class HostPolicies {
  /** The one setting Gantry supports: the cores, as a Linux CPU list. */
  private static final String CPU_CORES = "cpu-cores";

  private static final HostPolicies NONE = new HostPolicies(Map.of());

  private final Map<String, CpuSet> cores;

  private HostPolicies(Map<String, CpuSet> cores) {
    this.cores = Map.copyOf(cores);
  }

  public static HostPolicies none() {
    return NONE;
  }

  /**
   * Reads {@code --host-policy} values, one setting each: {@code NAME,cpu-cores=0-3,8}.
   *
   * @throws IllegalArgumentException naming the value and what is wrong with it, or the cores the
   *     machine does not have online
   */
  public static HostPolicies parse(List<String> values) {
    Map<String, CpuSet> cores = new LinkedHashMap<>();
    for (String value : values) {
      int comma = value.indexOf(',');
      int equals = value.indexOf('=', comma + 1);
      if (comma <= 0 || equals < 0) {
        throw new IllegalArgumentException("--host-policy '" + value + "': expected "
            + "NAME," + CPU_CORES + "=LIST, for example cpu," + CPU_CORES + "=0-3");
      }
      String name = value.substring(0, comma).strip();
      if (name.isEmpty()) {
        throw new IllegalArgumentException("--host-policy '" + value + "': the policy needs a name"
            + " before the comma");
      }
      String setting = value.substring(comma + 1, equals).strip();
      String settingValue = value.substring(equals + 1);
      if (!setting.equals(CPU_CORES)) {
        throw new IllegalArgumentException("--host-policy '" + value + "': setting '" + setting
            + "' is not supported; Gantry's host policies take " + CPU_CORES
            + (setting.equals("numa-node") ? " (no NUMA memory binding)" : ""));
      }
      CpuSet set;
      try {
        set = CpuSet.parse(settingValue);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--host-policy '" + value + "': " + e.getMessage());
      }
      if (cores.putIfAbsent(name, set) != null) {
        throw new IllegalArgumentException(
            "--host-policy '" + value + "': policy '" + name + "' already sets " + CPU_CORES);
      }
    }
    if (!cores.isEmpty()) {
      requireOnline(cores);
    }
    return new HostPolicies(cores);
  }

  /**
   * Checks the cores against the machine's online ones, and that this JVM can bind threads at
   * all. Cores a container's cpuset withholds pass here and fail the loads that use them.
   */
  private static void requireOnline(Map<String, CpuSet> cores) {
    CpuSet online;
    try {
      ThreadAffinity.current();
      online = ThreadAffinity.online();
    } catch (AffinityException e) {
      throw new IllegalArgumentException("--host-policy: " + e.getMessage());
    }
    cores.forEach((name, set) -> {
      CpuSet missing = set.minus(online);
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("--host-policy '" + name + "': cores " + missing
            + " are not online on this machine (online: " + online + ")");
      }
    });
  }

  /**
   * The cores an instance placed so runs on; empty when its policy binds nothing.
   *
   * @throws ModelLoadException if its configuration names a policy that was not defined
   */
  public Optional<CpuSet> coresFor(Placement placement) throws ModelLoadException {
    CpuSet set = cores.get(placement.hostPolicy());
    if (set == null && placement.policyNamed()) {
      throw new ModelLoadException("instance_group host_policy '" + placement.hostPolicy()
          + "' is not defined; define it with --host-policy " + placement.hostPolicy() + ","
          + CPU_CORES + "=LIST" + (cores.isEmpty() ? "" : " (defined: "
          + String.join(", ", cores.keySet().stream().sorted().toList()) + ")"));
    }
    return Optional.ofNullable(set);
  }
}
