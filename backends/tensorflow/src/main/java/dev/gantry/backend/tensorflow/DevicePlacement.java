package dev.gantry.backend.tensorflow;

import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelLoadException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;

/**
 * Puts a session on the device its instance asks for, through the session configuration.
 *
 * <p>A GPU instance makes only its GPU visible to the session ({@code visible_device_list}), so
 * that the session's {@code GPU:0} is that device and TensorFlow's default placement puts the graph
 * on it. A CPU instance gets no GPU device at all, so that it takes no GPU memory. TensorFlow maps
 * its GPU numbers to physical GPUs once per process: instances of one process cannot use different
 * physical GPUs, and a second GPU fails to load with TensorFlow's message saying so.
 *
 * <p>The CPU-only native library has no GPU support; only a build with the {@code gpu} Maven
 * profile has, and even then a GPU is usable only if TensorFlow finds one (see {@link GpuDevices}).
 * A {@link DeviceKind#GPU} instance fails to load in both cases, with a message starting {@value
 * #GPU_UNAVAILABLE}; a {@link DeviceKind#AUTO} instance runs on the CPU instead and logs why.
 */
final class DevicePlacement {
  static final String GPU_UNAVAILABLE = "GPU unavailable for TensorFlow: ";
  static final String CPU_ONLY_BUILD =
      "this build has the CPU-only TensorFlow native library; build with the -Pgpu profile";

  private static final Logger LOG = LoggerFactory.getLogger(DevicePlacement.class);

  private final BooleanSupplier builtWithCuda;

  /**
   * @param builtWithCuda whether the loaded TensorFlow native library has GPU support
   */
  DevicePlacement(BooleanSupplier builtWithCuda) {
    this.builtWithCuda = builtWithCuda;
  }

  /**
   * Configures the session for the instance's device.
   *
   * @return where the instance runs: {@code CPU} or {@code GPU <id>}
   */
  String place(ConfigProto.Builder config, InstanceSpec spec) throws ModelLoadException {
    return switch (spec.deviceKind()) {
      case CPU -> cpu(config);
      case GPU -> {
        Optional<String> problem = gpu(config, spec.deviceId());
        if (problem.isPresent()) {
          throw new ModelLoadException(GPU_UNAVAILABLE + problem.get());
        }
        yield "GPU " + spec.deviceId();
      }
      case AUTO -> {
        Optional<String> problem = gpu(config, spec.deviceId());
        if (problem.isPresent()) {
          LOG.info(
              "model {} version {} runs on the CPU: {}{}",
              spec.modelName(),
              spec.version(),
              GPU_UNAVAILABLE,
              problem.get());
          yield cpu(config);
        }
        yield "GPU " + spec.deviceId();
      }
    };
  }

  /** Makes only this GPU visible; returns why it is unusable, or nothing once it is set. */
  private Optional<String> gpu(ConfigProto.Builder config, int deviceId) {
    if (!builtWithCuda.getAsBoolean()) {
      return Optional.of(CPU_ONLY_BUILD);
    }
    config.getGpuOptionsBuilder().setVisibleDeviceList(Integer.toString(deviceId));
    return GpuDevices.whyNoGpu(config.build());
  }

  private static String cpu(ConfigProto.Builder config) {
    config.getGpuOptionsBuilder().clearVisibleDeviceList();
    config.putDeviceCount("GPU", 0);
    return "CPU";
  }
}
