package dev.gantry.backend.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GraphOperationByName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_LoadSessionFromSavedModel;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OperationNumOutputs;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OperationOutputType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionRun;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.gantry.spi.InferenceException;
import dev.gantry.spi.InvalidInputException;
import dev.gantry.spi.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Tensor;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;

/**
 * A SavedModel loaded into a TensorFlow session: owns the native graph and session from loading
 * until {@link #close()}, and runs them.
 *
 * <p>Loading goes through {@code TF_LoadSessionFromSavedModel}, which restores the variables and
 * runs the model's init op as TensorFlow's own loader does. A TensorFlow session may run several
 * steps at once, but this class runs one at a time: {@link #run} and {@link #close} share a lock,
 * so that closing waits for a step in flight instead of freeing the session under it. The server
 * calls an instance from one thread anyway and gets parallelism from the instance count.
 */
final class SavedModelSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelSession.class);

  private final Path directory;
  private final TF_Graph graph;
  private final TF_Session session;
  private final Map<String, SignatureDef> signatures;
  private boolean closed;

  private SavedModelSession(
      Path directory, TF_Graph graph, TF_Session session, Map<String, SignatureDef> signatures) {
    this.directory = directory;
    this.graph = graph;
    this.session = session;
    this.signatures = Map.copyOf(signatures);
  }

  /**
   * Loads the meta graph with these tags from a SavedModel directory into a new session.
   *
   * @throws ModelLoadException with TensorFlow's reason when it cannot load the model
   */
  @SuppressWarnings("try") // the scope frees the native temporaries allocated in it
  static SavedModelSession load(Path directory, List<String> tags, ConfigProto config)
      throws ModelLoadException {
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
    TF_Buffer metaGraphBuffer = TF_NewBuffer();
    try (PointerScope scope = new PointerScope();
        NativeStatus status = new NativeStatus()) {
      BytePointer configBytes = new BytePointer(config.toByteArray());
      TF_SetConfig(options, configBytes, configBytes.capacity(), status.handle());
      failIfNeeded(status, directory, graph);
      TF_Session session =
          TF_LoadSessionFromSavedModel(
              options,
              null,
              new BytePointer(directory.toString()),
              new PointerPointer<>(tags.toArray(String[]::new)),
              tags.size(),
              graph,
              metaGraphBuffer,
              status.handle());
      failIfNeeded(status, directory, graph);
      try {
        return new SavedModelSession(
            directory,
            graph,
            session,
            MetaGraphDef.parseFrom(metaGraphBuffer.dataAsByteBuffer()).getSignatureDefMap());
      } catch (InvalidProtocolBufferException e) {
        delete(session, graph, directory);
        throw new ModelLoadException(
            "cannot load TensorFlow SavedModel " + directory + ": " + e.getMessage(), e);
      }
    } finally {
      TF_DeleteBuffer(metaGraphBuffer);
      TF_DeleteSessionOptions(options);
    }
  }

  private static void failIfNeeded(NativeStatus status, Path directory, TF_Graph graph)
      throws ModelLoadException {
    Optional<String> failure = status.failure();
    if (failure.isPresent()) {
      TF_DeleteGraph(graph);
      throw new ModelLoadException(
          "cannot load TensorFlow SavedModel " + directory + ": " + failure.get());
    }
  }

  /** The signatures of the meta graph TensorFlow loaded, by key. */
  Map<String, SignatureDef> signatures() {
    return signatures;
  }

  /**
   * The graph tensor a signature names as {@code operation:index} (or just {@code operation} for
   * its first output), with its element type; empty if the graph has no such tensor.
   */
  @SuppressWarnings("try") // the scope frees the native temporaries allocated in it
  Optional<GraphTensor> graphTensor(String name) {
    int colon = name.lastIndexOf(':');
    String operationName = name;
    int index = 0;
    if (colon > 0 && name.substring(colon + 1).matches("[0-9]{1,9}")) {
      operationName = name.substring(0, colon);
      index = Integer.parseInt(name.substring(colon + 1));
    }
    TF_Operation operation = TF_GraphOperationByName(graph, operationName);
    if (operation == null || operation.isNull() || index >= TF_OperationNumOutputs(operation)) {
      return Optional.empty();
    }
    try (PointerScope scope = new PointerScope()) {
      TF_Output output = new TF_Output().oper(operation).index(index);
      return Optional.of(new GraphTensor(operation, index, TF_OperationOutputType(output)));
    }
  }

  /**
   * Feeds the tensors to their graph tensors and fetches the requested ones.
   *
   * @return the fetched tensors in the order of {@code fetches}; the caller deletes them
   * @throws InferenceException with TensorFlow's message when the step fails; an {@link
   *     InvalidInputException}, with TensorFlow's message in its cause, when TensorFlow refused
   *     the inputs as invalid arguments
   */
  @SuppressWarnings("try") // the scope frees the native temporaries allocated in it
  synchronized TF_Tensor[] run(
      List<SignatureTensor> feeds, List<TF_Tensor> values, List<SignatureTensor> fetches)
      throws InferenceException {
    if (closed) {
      throw new InferenceException("the TensorFlow session of " + directory + " is closed");
    }
    try (PointerScope scope = new PointerScope();
        NativeStatus status = new NativeStatus()) {
      TF_Output inputs = outputs(feeds);
      PointerPointer<TF_Tensor> inputValues = new PointerPointer<>(values.size());
      for (int i = 0; i < values.size(); i++) {
        inputValues.put(i, values.get(i));
      }
      TF_Output outputs = outputs(fetches);
      PointerPointer<TF_Tensor> outputValues = new PointerPointer<>(fetches.size());
      for (int i = 0; i < fetches.size(); i++) {
        outputValues.put(i, (Pointer) null);
      }
      TF_SessionRun(
          session,
          null,
          inputs,
          inputValues,
          feeds.size(),
          outputs,
          outputValues,
          fetches.size(),
          (PointerPointer<?>) null,
          0,
          null,
          status.handle());
      TF_Tensor[] results = new TF_Tensor[fetches.size()];
      for (int i = 0; i < results.length; i++) {
        results[i] = outputValues.get(TF_Tensor.class, i);
      }
      Optional<String> failure = status.failure();
      if (failure.isPresent()) {
        deleteAll(results);
        if (status.invalidArgument()) {
          throw new InvalidInputException("TensorFlow refused the inputs as invalid for the model "
              + "(a shape or value it cannot compute with)", new InferenceException(failure.get()));
        }
        throw new InferenceException(failure.get());
      }
      return results;
    }
  }

  /** TensorFlow may fail after converting some results; those are deleted here. */
  private static void deleteAll(TF_Tensor[] results) {
    for (TF_Tensor result : results) {
      if (result != null && !result.isNull()) {
        NativeTensors.delete(result);
      }
    }
  }

  private static TF_Output outputs(List<SignatureTensor> tensors) {
    TF_Output outputs = new TF_Output(tensors.size());
    for (int i = 0; i < tensors.size(); i++) {
      SignatureTensor tensor = tensors.get(i);
      outputs.getPointer(i).oper(tensor.operation()).index(tensor.index());
    }
    return outputs;
  }

  /** Closes and deletes the session, then the graph; later runs fail. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      delete(session, graph, directory);
    }
  }

  private static void delete(TF_Session session, TF_Graph graph, Path directory) {
    try (NativeStatus status = new NativeStatus()) {
      TF_CloseSession(session, status.handle());
      status
          .failure()
          .ifPresent(
              message ->
                  LOG.warn("closing the TensorFlow session of {} failed: {}", directory, message));
      TF_DeleteSession(session, status.handle());
    }
    TF_DeleteGraph(graph);
  }

  /** A tensor of the loaded graph: an operation's output and its element type. */
  record GraphTensor(TF_Operation operation, int index, int nativeType) {}
}
