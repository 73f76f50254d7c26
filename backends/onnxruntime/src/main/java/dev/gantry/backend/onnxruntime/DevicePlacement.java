package dev.gantry.backend.onnxruntime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.gantry.spi.DeviceKind;
import dev.gantry.spi.InstanceSpec;
import dev.gantry.spi.ModelLoadException;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a session on the device its instance asks for, by adding ONNX Runtime's CUDA execution
 * provider for GPUs and nothing for the CPU.
 *
 * <p>The CPU-only ONNX Runtime artifact does not list CUDA among its providers; only a build with
 * the {@code gpu} Maven profile does, and even then adding the provider fails when the CUDA or
 * cuDNN libraries are missing. A {@link DeviceKind#GPU} instance fails to load in both cases, with
 * a message starting {@value #CUDA_UNAVAILABLE}; a {@link DeviceKind#AUTO} instance runs on the CPU
 * instead and logs why.
 */
final class DevicePlacement {
  static final String CUDA_UNAVAILABLE = "CUDA execution provider unavailable: ";
  static final String CPU_ONLY_BUILD =
      "this build of Gantry has the CPU-only ONNX Runtime; build it with the -Pgpu profile to"
          + " run models on GPUs";

  private static final Logger LOG = LoggerFactory.getLogger(DevicePlacement.class);

  private final Set<OrtProvider> availableProviders;

  /**
   * @param availableProviders the execution providers the loaded ONNX Runtime was built with
   */
  DevicePlacement(Set<OrtProvider> availableProviders) {
    this.availableProviders = Set.copyOf(availableProviders);
  }

  /**
   * Adds the execution provider for the instance's device to the options.
   *
   * @return where the instance runs: {@code CPU} or {@code GPU <id>}
   */
  String place(SessionOptions options, InstanceSpec spec) throws ModelLoadException {
    return switch (spec.deviceKind()) {
      case CPU -> "CPU";
      case GPU -> {
        Optional<String> problem = addCuda(options, spec.deviceId());
        if (problem.isPresent()) {
          throw new ModelLoadException(CUDA_UNAVAILABLE + problem.get());
        }
        yield gpu(spec.deviceId());
      }
      case AUTO -> {
        Optional<String> problem = addCuda(options, spec.deviceId());
        if (problem.isPresent()) {
          LOG.info(
              "model {} version {} runs on the CPU: {}{}",
              spec.modelName(),
              spec.version(),
              CUDA_UNAVAILABLE,
              problem.get());
          yield "CPU";
        }
        yield gpu(spec.deviceId());
      }
    };
  }

  /** Adds CUDA for the device; returns why it cannot, or nothing once it is added. */
  private Optional<String> addCuda(SessionOptions options, int deviceId) {
    if (!availableProviders.contains(OrtProvider.CUDA)) {
      return Optional.of(CPU_ONLY_BUILD);
    }
    try {
      options.addCUDA(deviceId);
      return Optional.empty();
    } catch (OrtException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static String gpu(int deviceId) {
    return "GPU " + deviceId;
  }
}
