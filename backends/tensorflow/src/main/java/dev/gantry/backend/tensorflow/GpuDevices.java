package dev.gantry.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetRegisteredKernelsForOp;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.KernelDef;
import org.tensorflow.proto.KernelList;

/**
 * Finds out whether TensorFlow can run on a GPU, asking the native library actually loaded.
 *
 * <p>Whether the library was built with CUDA: its kernel registry is asked which devices {@code
 * MatMul} has kernels for. Only a CUDA (or ROCm) build registers {@code MatMul} for {@code GPU}.
 * Asking for any GPU kernel would not do: the CPU-only library registers GPU kernels for about a
 * hundred control-flow and host-memory operations. The answer is computed once per JVM, since the
 * library cannot change once loaded.
 *
 * <p>Whether a GPU is usable: a session is created on an empty graph with the instance's own
 * configuration and its devices are listed ({@code TF_SessionListDevices}). TensorFlow creates a
 * session's devices when it creates the session, so the probe sees exactly what the model's session
 * will: no GPU when the driver or the device is missing or {@code CUDA_VISIBLE_DEVICES} hides it,
 * and TensorFlow's error when {@code visible_device_list} names a GPU that does not exist.
 */
final class GpuDevices {
  private static final String GPU = "GPU";

  private GpuDevices() {}

  /** Whether the loaded TensorFlow native library was built with GPU support. */
  static boolean builtWithCuda() {
    return Build.CUDA;
  }

  /**
   * Why a session with this configuration would have no GPU device: TensorFlow's error, or the
   * devices it has instead; empty when it has a GPU.
   */
  @SuppressWarnings("try") // the scope frees the native temporaries allocated in it
  static Optional<String> whyNoGpu(ConfigProto config) {
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
    try (PointerScope scope = new PointerScope();
        NativeStatus status = new NativeStatus()) {
      BytePointer configBytes = new BytePointer(config.toByteArray());
      TF_SetConfig(options, configBytes, configBytes.capacity(), status.handle());
      if (status.failure().isPresent()) {
        return status.failure();
      }
      TF_Session session = TF_NewSession(graph, options, status.handle());
      if (status.failure().isPresent()) {
        return status.failure();
      }
      try {
        return whyNoGpu(session, status);
      } finally {
        TF_CloseSession(session, status.handle());
        TF_DeleteSession(session, status.handle());
      }
    } finally {
      TF_DeleteSessionOptions(options);
      TF_DeleteGraph(graph);
    }
  }

  private static Optional<String> whyNoGpu(TF_Session session, NativeStatus status) {
    TF_DeviceList devices = TF_SessionListDevices(session, status.handle());
    if (status.failure().isPresent()) {
      return status.failure();
    }
    try {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < TF_DeviceListCount(devices); i++) {
        if (TF_DeviceListType(devices, i, status.handle()).getString().equals(GPU)) {
          return Optional.empty();
        }
        String name = TF_DeviceListName(devices, i, status.handle()).getString();
        names.add(name.substring(name.lastIndexOf("device:") + "device:".length()));
      }
      return Optional.of(
          "no CUDA device visible (TensorFlow sees " + String.join(", ", names) + ")");
    } finally {
      TF_DeleteDeviceList(devices);
    }
  }

  private static boolean hasGpuMatMulKernel() {
    try (NativeStatus status = new NativeStatus()) {
      TF_Buffer kernels = TF_GetRegisteredKernelsForOp("MatMul", status.handle());
      status
          .failure()
          .ifPresent(
              message -> {
                throw new IllegalStateException(
                    "cannot list TensorFlow's MatMul kernels: " + message);
              });
      try {
        return KernelList.parseFrom(kernels.dataAsByteBuffer()).getKernelList().stream()
            .map(KernelDef::getDeviceType)
            .anyMatch(GPU::equals);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot read TensorFlow's MatMul kernels", e);
      } finally {
        TF_DeleteBuffer(kernels);
      }
    }
  }

  /** Holds the build's answer, computed when first asked for. */
  private static final class Build {
    static final boolean CUDA = hasGpuMatMulKernel();
  }
}
