package dev.gantry.server.config;

import com.google.protobuf.TextFormat;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelDynamicBatching;
import dev.gantry.proto.ModelInput;
import dev.gantry.proto.ModelOutput;
import dev.gantry.spi.DataType;
import dev.gantry.spi.ModelLoadException;
import dev.gantry.spi.ModelSignature;
import dev.gantry.spi.Shapes;
import dev.gantry.spi.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a model's {@code config.pbtxt}, completes it from what the backend reports, and checks the
 * two agree: the one place where a model configuration is parsed and validated.
 *
 * <p>Completion follows Triton: a missing name, platform, backend, input or output is taken from
 * the model. When the configuration lists no inputs and no outputs and leaves {@code
 * max_batch_size} at 0, and every input and output of the model has a variable first dimension,
 * the model is taken to batch: {@code max_batch_size} becomes {@value #DEFAULT_MAX_BATCH_SIZE} and
 * dynamic batching is turned on.
 */
public final class ModelConfigs {
  /** The configuration file's name inside a model directory. */
  public static final String FILE_NAME = "config.pbtxt";

  /** The batch size given to a model whose configuration does not set one, as Triton does. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 4;

  private ModelConfigs() {}

  /**
   * Reads {@code <modelDirectory>/config.pbtxt} in protobuf text format.
   *
   * @return empty when the model has no configuration file
   * @throws ModelLoadException when the file cannot be read or parsed, with the line and column
   */
  public static Optional<ModelConfig> read(Path modelDirectory) throws ModelLoadException {
    Path file = modelDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      ModelConfig.Builder config = ModelConfig.newBuilder();
      TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), config);
      return Optional.of(config.build());
    } catch (TextFormat.ParseException e) {
      throw new ModelLoadException(FILE_NAME + " does not parse: " + e.getMessage());
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + FILE_NAME + ": " + e.getMessage());
    }
  }

  /**
   * Completes a configuration with what the model reports and checks that the two agree.
   *
   * @param declared the configuration as written, or the default instance when there is none
   * @param modelName the model's directory name
   * @param backendName the backend serving it
   * @param platform that backend's platform name
   * @param model the inputs and outputs the loaded model reports
   * @return the effective configuration
   * @throws ModelLoadException naming the first disagreement
   */
  public static ModelConfig complete(
      ModelConfig declared,
      String modelName,
      String backendName,
      String platform,
      ModelSignature model)
      throws ModelLoadException {
    if (!declared.getName().isEmpty() && !declared.getName().equals(modelName)) {
      throw new ModelLoadException(
          FILE_NAME + " names the model '" + declared.getName() + "' but its directory is '"
              + modelName + "'");
    }
    if (declared.getMaxBatchSize() < 0) {
      throw new ModelLoadException(
          "max_batch_size must be 0 or more, got " + declared.getMaxBatchSize());
    }
    ModelConfig.Builder config = declared.toBuilder().setName(modelName);
    if (config.getPlatform().isEmpty()) {
      config.setPlatform(platform);
    }
    if (config.getBackend().isEmpty()) {
      config.setBackend(backendName);
    }
    boolean fullyAutomatic =
        declared.getInputCount() == 0 && declared.getOutputCount() == 0
            && declared.getMaxBatchSize() == 0;
    if (fullyAutomatic && allBatchable(model)) {
      config.setMaxBatchSize(DEFAULT_MAX_BATCH_SIZE);
      if (config.getSchedulingChoiceCase() == ModelConfig.SchedulingChoiceCase.SCHEDULINGCHOICE_NOT_SET) {
        config.setDynamicBatching(ModelDynamicBatching.getDefaultInstance());
      }
    }
    int batchDims = config.getMaxBatchSize() > 0 ? 1 : 0;
    if (declared.getInputCount() == 0) {
      for (TensorSpec spec : model.inputs()) {
        config.addInput(
            ModelInput.newBuilder()
                .setName(spec.name())
                .setDataType(ConfigDataTypes.toConfig(spec.dataType()))
                .addAllDims(dimsWithoutBatch(spec, batchDims)));
      }
    }
    if (declared.getOutputCount() == 0) {
      for (TensorSpec spec : model.outputs()) {
        config.addOutput(
            ModelOutput.newBuilder()
                .setName(spec.name())
                .setDataType(ConfigDataTypes.toConfig(spec.dataType()))
                .addAllDims(dimsWithoutBatch(spec, batchDims)));
      }
    }
    ModelConfig effective = config.build();
    validate(effective, model);
    return effective;
  }

  /**
   * The inputs and outputs requests are checked against: the configuration's datatypes and dims,
   * with the batch dimension (-1) in front when the model batches and every dimension the
   * configuration leaves variable filled in from the model where the model fixes it.
   */
  public static ModelSignature servedSignature(ModelConfig config, ModelSignature model) {
    List<TensorSpec> inputs = new ArrayList<>();
    for (ModelInput input : config.getInputList()) {
      inputs.add(served(config, input.getName(), input.getDataType(), input.getDimsList(),
          model.input(input.getName())));
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (ModelOutput output : config.getOutputList()) {
      outputs.add(served(config, output.getName(), output.getDataType(), output.getDimsList(),
          model.output(output.getName())));
    }
    return new ModelSignature(inputs, outputs);
  }

  private static TensorSpec served(
      ModelConfig config,
      String name,
      dev.gantry.proto.DataType type,
      List<Long> dims,
      Optional<TensorSpec> model) {
    int batchDims = config.getMaxBatchSize() > 0 ? 1 : 0;
    long[] shape = new long[batchDims + dims.size()];
    Arrays.fill(shape, Shapes.VARIABLE);
    long[] modelShape = model.map(TensorSpec::shape).orElse(null);
    for (int i = 0; i < dims.size(); i++) {
      long dim = dims.get(i);
      if (dim == Shapes.VARIABLE && modelShape != null && modelShape.length == shape.length) {
        dim = modelShape[batchDims + i];
      }
      shape[batchDims + i] = dim;
    }
    return new TensorSpec(name, ConfigDataTypes.toProtocol(type).orElseThrow(), shape);
  }

  private static void validate(ModelConfig config, ModelSignature model) throws ModelLoadException {
    switch (config.getSchedulingChoiceCase()) {
      case SEQUENCE_BATCHING -> throw new ModelLoadException(
          "sequence_batching is not supported by Gantry; remove it or use dynamic_batching");
      case ENSEMBLE_SCHEDULING -> throw new ModelLoadException(
          "ensemble_scheduling is not supported by Gantry");
      default -> { }
    }
    int batchDims = config.getMaxBatchSize() > 0 ? 1 : 0;
    Map<String, TensorSpec> modelInputs = byName(model.inputs());
    Map<String, TensorSpec> modelOutputs = byName(model.outputs());
    List<String> seen = new ArrayList<>();
    for (ModelInput input : config.getInputList()) {
      checkUnique("input", input.getName(), seen);
      if (input.hasReshape()) {
        throw new ModelLoadException("input '" + input.getName() + "': reshape is not supported");
      }
      checkTensor("input", input.getName(), input.getDataType(), input.getDimsList(),
          modelInputs, batchDims);
    }
    for (TensorSpec spec : model.inputs()) {
      if (!seen.contains(spec.name())) {
        throw new ModelLoadException(
            "the model has input '" + spec.name() + "' that " + FILE_NAME + " does not list; "
                + "configured inputs are " + seen);
      }
    }
    seen.clear();
    for (ModelOutput output : config.getOutputList()) {
      checkUnique("output", output.getName(), seen);
      if (output.hasReshape()) {
        throw new ModelLoadException("output '" + output.getName() + "': reshape is not supported");
      }
      checkTensor("output", output.getName(), output.getDataType(), output.getDimsList(),
          modelOutputs, batchDims);
    }
    if (config.hasDynamicBatching()) {
      for (int preferred : config.getDynamicBatching().getPreferredBatchSizeList()) {
        if (preferred < 1 || preferred > config.getMaxBatchSize()) {
          throw new ModelLoadException(
              "dynamic_batching.preferred_batch_size " + preferred + " must be between 1 and "
                  + "max_batch_size " + config.getMaxBatchSize());
        }
      }
    }
  }

  private static void checkUnique(String kind, String name, List<String> seen)
      throws ModelLoadException {
    if (name.isEmpty()) {
      throw new ModelLoadException("an " + kind + " in " + FILE_NAME + " has no name");
    }
    if (seen.contains(name)) {
      throw new ModelLoadException(kind + " '" + name + "' is listed twice in " + FILE_NAME);
    }
    seen.add(name);
  }

  private static void checkTensor(
      String kind,
      String name,
      dev.gantry.proto.DataType configType,
      List<Long> dims,
      Map<String, TensorSpec> model,
      int batchDims)
      throws ModelLoadException {
    TensorSpec spec = model.get(name);
    if (spec == null) {
      throw new ModelLoadException(
          kind + " '" + name + "' is in " + FILE_NAME + " but not in the model, whose " + kind
              + "s are " + model.keySet());
    }
    Optional<DataType> type = ConfigDataTypes.toProtocol(configType);
    if (type.isEmpty()) {
      throw new ModelLoadException(kind + " '" + name + "' has no valid data_type");
    }
    if (type.get() != spec.dataType()) {
      throw new ModelLoadException(
          kind + " '" + name + "': data_type " + configType + " does not match the model's "
              + ConfigDataTypes.toConfig(spec.dataType()));
    }
    long[] shape = spec.shape();
    if (batchDims == 1 && (shape.length == 0 || shape[0] != Shapes.VARIABLE)) {
      throw new ModelLoadException(
          kind + " '" + name + "' has shape " + Shapes.format(shape) + " with no variable batch "
              + "dimension, so the model cannot batch: set max_batch_size to 0");
    }
    if (shape.length != dims.size() + batchDims) {
      throw new ModelLoadException(
          kind + " '" + name + "': dims " + dims + " do not match the model's shape "
              + Shapes.format(shape) + (batchDims == 1 ? " (dims exclude the batch dimension)" : ""));
    }
    for (int i = 0; i < dims.size(); i++) {
      long configured = dims.get(i);
      long actual = shape[batchDims + i];
      if (configured < Shapes.VARIABLE) {
        throw new ModelLoadException(kind + " '" + name + "': invalid dimension " + configured);
      }
      if (configured != Shapes.VARIABLE && actual != Shapes.VARIABLE && configured != actual) {
        throw new ModelLoadException(
            kind + " '" + name + "': dims " + dims + " do not match the model's shape "
                + Shapes.format(shape));
      }
    }
  }

  private static boolean allBatchable(ModelSignature model) {
    if (model.inputs().isEmpty()) {
      return false;
    }
    for (List<TensorSpec> specs : List.of(model.inputs(), model.outputs())) {
      for (TensorSpec spec : specs) {
        if (spec.rank() == 0 || spec.shape()[0] != Shapes.VARIABLE) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<Long> dimsWithoutBatch(TensorSpec spec, int batchDims) {
    long[] shape = spec.shape();
    List<Long> dims = new ArrayList<>(shape.length);
    for (int i = batchDims; i < shape.length; i++) {
      dims.add(shape[i]);
    }
    return dims;
  }

  private static Map<String, TensorSpec> byName(List<TensorSpec> specs) {
    Map<String, TensorSpec> map = new LinkedHashMap<>();
    for (TensorSpec spec : specs) {
      map.put(spec.name(), spec);
    }
    return map;
  }
}
