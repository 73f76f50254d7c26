package dev.gantry.server.model;

import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelWarmup;
import dev.gantry.server.config.ConfigDataTypes;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.spi.ComputePhases;
import dev.gantry.spi.DataType;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.ModelInstance;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.Tensor;
import dev.gantry.spi.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs a configuration's {@code model_warmup} samples on an instance before its version is
 * READY, so that the first real requests do not pay for lazy initialisation.
 *
 * <p>Each sample's inputs are zeros ({@code zero_data}), random values ({@code random_data};
 * finite numbers, printable text for BYTES) or the raw bytes of a file in the model's {@code
 * warmup/} directory ({@code input_data_file}); batching models get {@code batch_size} rows. Each
 * sample runs {@code count} times (at least once).
 */
final class Warmups {
  private Warmups() {}

  static void run(ModelConfig config, ModelInstance instance, Path modelDirectory)
      throws ModelLoadException {
    for (ModelWarmup warmup : config.getModelWarmupList()) {
      Map<String, Tensor> inputs = inputs(config, warmup, modelDirectory);
      Set<String> outputs = new LinkedHashSet<>();
      for (TensorSpec output : instance.signature().outputs()) {
        outputs.add(output.name());
      }
      for (int i = 0; i < Math.max(1, warmup.getCount()); i++) {
        try {
          instance.execute(inputs, outputs, ComputePhases.IGNORED);
        } catch (InferenceException | RuntimeException e) {
          throw new ModelLoadException(
              "model_warmup '" + warmup.getName() + "' failed: " + e.getMessage(), e);
        }
      }
    }
  }

  private static Map<String, Tensor> inputs(
      ModelConfig config, ModelWarmup warmup, Path modelDirectory) throws ModelLoadException {
    Map<String, Tensor> inputs = new HashMap<>();
    SplittableRandom random = new SplittableRandom(warmup.getName().hashCode());
    for (Map.Entry<String, ModelWarmup.Input> entry : warmup.getInputsMap().entrySet()) {
      ModelWarmup.Input input = entry.getValue();
      DataType type = ConfigDataTypes.toProtocol(input.getDataType()).orElseThrow(() ->
          new ModelLoadException("model_warmup '" + warmup.getName() + "' input '"
              + entry.getKey() + "' has no valid data_type"));
      int batchDims = config.getMaxBatchSize() > 0 ? 1 : 0;
      long[] shape = new long[batchDims + input.getDimsCount()];
      if (batchDims == 1) {
        shape[0] = Math.max(1, warmup.getBatchSize());
      }
      for (int d = 0; d < input.getDimsCount(); d++) {
        shape[batchDims + d] = input.getDims(d);
      }
      int elements = Math.toIntExact(Shapes.elementCount(shape));
      ByteBuffer data = switch (input.getInputDataTypeCase()) {
        case RANDOM_DATA -> random(type, elements, random);
        case INPUT_DATA_FILE -> file(warmup, entry.getKey(), modelDirectory,
            input.getInputDataFile());
        default -> zeros(type, elements);
      };
      try {
        inputs.put(entry.getKey(), new Tensor(type, shape, data));
      } catch (IllegalArgumentException e) {
        throw new ModelLoadException("model_warmup '" + warmup.getName() + "' input '"
            + entry.getKey() + "': " + e.getMessage());
      }
    }
    return inputs;
  }

  private static ByteBuffer zeros(DataType type, int elements) {
    return ByteBuffer.allocate(type == DataType.BYTES ? elements * Integer.BYTES
        : elements * type.elementSize());
  }

  private static ByteBuffer random(DataType type, int elements, SplittableRandom random) {
    if (type == DataType.BYTES) {
      ByteBuffer data = ByteBuffer.allocate(elements * (Integer.BYTES + 8))
          .order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < elements; i++) {
        data.putInt(8);
        for (int c = 0; c < 8; c++) {
          data.put((byte) ('a' + random.nextInt(26)));
        }
      }
      return data.flip();
    }
    ByteBuffer data = ByteBuffer.allocate(elements * type.elementSize())
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < elements; i++) {
      switch (type) {
        case FP32 -> data.putFloat((float) random.nextDouble());
        case FP64 -> data.putDouble(random.nextDouble());
        case FP16 -> data.putShort((short) (0x3800 + random.nextInt(0x400)));
        case BF16 -> data.putShort((short) (Float.floatToIntBits((float) random.nextDouble()) >>> 16));
        case BOOL -> data.put((byte) random.nextInt(2));
        default -> {
          for (int b = 0; b < type.elementSize(); b++) {
            data.put((byte) random.nextInt(128));
          }
        }
      }
    }
    return data.flip();
  }

  private static ByteBuffer file(
      ModelWarmup warmup, String input, Path modelDirectory, String name)
      throws ModelLoadException {
    try {
      Path warmupDirectory = modelDirectory.resolve("warmup");
      Path file = RepositoryScanner.inside(warmupDirectory, name, "input_data_file");
      return ByteBuffer.wrap(Files.readAllBytes(file));
    } catch (InvalidArgumentException | IOException e) {
      throw new ModelLoadException("model_warmup '" + warmup.getName() + "' input '" + input
          + "': cannot read warmup/" + name + ": " + e.getMessage());
    }
  }
}
