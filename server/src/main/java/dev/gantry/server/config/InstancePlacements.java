package dev.gantry.server.config;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelInstanceGroup;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.ModelLoadException;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands a configuration's {@code instance_group}s into one placement per model instance.
 *
 * <p>A group makes {@code count} instances (default 1) on each of its devices: each GPU in {@code
 * gpus} for {@code KIND_GPU} (GPU 0 when none are listed), the CPU for {@code KIND_CPU}, and for
 * {@code KIND_AUTO} a GPU when the backend finds one usable, else the CPU. No group means one
 * {@code KIND_AUTO} instance.
 *
 * <p>Each placement also carries the host policy its instance follows: the group's {@code
 * host_policy}, else Triton's default name for its kind ({@code gpu_<id>} for {@code KIND_GPU},
 * {@code cpu} otherwise).
 */
public final class InstancePlacements {
  /** The host policy of instances whose group names none and that do not run on a GPU. */
  private static final String CPU_POLICY = "cpu";

  /**
   * Where one instance should run.
   *
   * @param hostPolicy the name of the host policy the instance follows
   * @param policyNamed whether the configuration named that policy (rather than it being the
   *     default for the kind)
   */
  public record Placement(DeviceKind kind, int deviceId, String hostPolicy, boolean policyNamed) {}

  private InstancePlacements() {}

  /** @throws ModelLoadException for a kind Gantry does not support or a negative count */
  public static List<Placement> from(ModelConfig config) throws ModelLoadException {
    List<Placement> placements = new ArrayList<>();
    if (config.getInstanceGroupCount() == 0) {
      placements.add(new Placement(DeviceKind.AUTO, 0, CPU_POLICY, false));
    }
    for (ModelInstanceGroup group : config.getInstanceGroupList()) {
      if (group.getCount() < 0) {
        throw new ModelLoadException("instance_group count must be 0 or more, got " + group.getCount());
      }
      int count = group.getCount() == 0 ? 1 : group.getCount();
      DeviceKind kind =
          switch (group.getKind()) {
            case KIND_AUTO -> DeviceKind.AUTO;
            case KIND_CPU -> DeviceKind.CPU;
            case KIND_GPU -> DeviceKind.GPU;
            case KIND_MODEL, UNRECOGNIZED -> throw new ModelLoadException(
                "instance_group kind " + group.getKind() + " is not supported; use KIND_CPU, "
                    + "KIND_GPU or KIND_AUTO");
          };
      if (kind == DeviceKind.CPU && group.getGpusCount() > 0) {
        throw new ModelLoadException("instance_group of KIND_CPU cannot list gpus " + group.getGpusList());
      }
      List<Integer> devices = group.getGpusCount() > 0 ? group.getGpusList() : List.of(0);
      for (int device : devices) {
        if (device < 0) {
          throw new ModelLoadException("instance_group gpus must be 0 or more, got " + device);
        }
        boolean named = !group.getHostPolicy().isEmpty();
        String policy = named
            ? group.getHostPolicy()
            : kind == DeviceKind.GPU ? "gpu_" + device : CPU_POLICY;
        for (int i = 0; i < count; i++) {
          placements.add(new Placement(kind, device, policy, named));
        }
      }
    }
    return placements;
  }
}
