package dev.gantry.server.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.gantry.proto.ModelConfig;
import dev.gantry.proto.ModelRepositoryParameter;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryIndexResponse;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelLoadResponse;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.proto.RepositoryModelUnloadResponse;
import dev.gantry.server.error.FailedPreconditionException;
import dev.gantry.server.error.InvalidArgumentException;
import dev.gantry.server.error.UnavailableException;
import dev.gantry.server.error.UnimplementedException;
import dev.gantry.server.model.ModelControlMode;
import dev.gantry.server.model.ModelRepository;
import dev.gantry.server.model.ModelState;
import dev.gantry.server.model.VersionStatus;
import dev.gantry.server.security.ClientMessages;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The repository RPCs: RepositoryIndex, RepositoryModelLoad and RepositoryModelUnload. Loading
 * and unloading take seconds, so they run on their own thread, never on the transport's.
 *
 * <p>As in Triton, load and unload are allowed in EXPLICIT control mode only, and not at all when
 * the server runs with {@code --disable-repository-rpcs} (they then answer UNIMPLEMENTED, as a
 * feature the server does not offer, whatever the caller's token). A load may carry a
 * {@code config} parameter (a JSON {@code ModelConfig}, replacing the model's {@code
 * config.pbtxt}) and {@code file:<path>} parameters (bytes of model files, which then form the
 * whole model directory and require {@code config}).
 */
public final class RepositoryCalls {
  private static final String FILE_PREFIX = "file:";

  private final ModelRepository repository;
  private final ModelControlMode mode;
  private final boolean disabled;
  private final Executor executor;

  /**
   * @param disabled whether load and unload are switched off ({@code --disable-repository-rpcs})
   * @param executor runs the calls, off the transport's threads
   */
  public RepositoryCalls(
      ModelRepository repository, ModelControlMode mode, boolean disabled, Executor executor) {
    this.repository = repository;
    this.mode = mode;
    this.disabled = disabled;
    this.executor = executor;
  }

  void index(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
    run(out, () -> {
      checkRepositoryName(request.getRepositoryName());
      repository.discover();
      RepositoryIndexResponse.Builder response = RepositoryIndexResponse.newBuilder();
      for (VersionStatus status : repository.index()) {
        if (request.getReady() && status.state() != ModelState.READY) {
          continue;
        }
        response.addModelsBuilder()
            .setName(status.model())
            .setVersion(status.version() == 0 ? "" : Long.toString(status.version()))
            .setState(status.state().name())
            .setReason(ClientMessages.sanitize(status.reason()));
      }
      return response.build();
    });
  }

  void load(RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
    run(out, () -> {
      checkExplicit("RepositoryModelLoad");
      checkRepositoryName(request.getRepositoryName());
      Optional<ModelConfig> config = Optional.empty();
      Map<String, byte[]> files = new HashMap<>();
      for (Map.Entry<String, ModelRepositoryParameter> parameter
          : request.getParametersMap().entrySet()) {
        String name = parameter.getKey();
        ModelRepositoryParameter value = parameter.getValue();
        if (name.equals("config")) {
          config = Optional.of(parseConfig(value));
        } else if (name.startsWith(FILE_PREFIX)) {
          if (value.getParameterChoiceCase()
              != ModelRepositoryParameter.ParameterChoiceCase.BYTES_PARAM) {
            throw new InvalidArgumentException(
                "parameter '" + name + "' must be a bytes_param holding the file's contents");
          }
          files.put(name.substring(FILE_PREFIX.length()), value.getBytesParam().toByteArray());
        } else {
          throw new InvalidArgumentException(
              "unknown parameter '" + name + "'; RepositoryModelLoad takes 'config' and "
                  + "'file:<path>'");
        }
      }
      repository.load(request.getModelName(), new ModelRepository.LoadRequest(config, files));
      return RepositoryModelLoadResponse.getDefaultInstance();
    });
  }

  void unload(
      RepositoryModelUnloadRequest request, StreamObserver<RepositoryModelUnloadResponse> out) {
    run(out, () -> {
      checkExplicit("RepositoryModelUnload");
      checkRepositoryName(request.getRepositoryName());
      for (String name : request.getParametersMap().keySet()) {
        if (!name.equals("unload_dependents")) {
          throw new InvalidArgumentException(
              "unknown parameter '" + name + "'; RepositoryModelUnload takes 'unload_dependents'");
        }
      }
      repository.unload(request.getModelName());
      return RepositoryModelUnloadResponse.getDefaultInstance();
    });
  }

  private static ModelConfig parseConfig(ModelRepositoryParameter value) {
    if (value.getParameterChoiceCase()
        != ModelRepositoryParameter.ParameterChoiceCase.STRING_PARAM) {
      throw new InvalidArgumentException(
          "parameter 'config' must be a string_param holding a JSON ModelConfig");
    }
    ModelConfig.Builder config = ModelConfig.newBuilder();
    try {
      JsonFormat.parser().merge(value.getStringParam(), config);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidArgumentException(
          "parameter 'config' is not a valid JSON ModelConfig: " + jsonProblem(e));
    }
    return config.build();
  }

  /**
   * What is wrong with a JSON text, without the names of the parser's exception classes (such as
   * {@code java.io.EOFException}) that its message carries.
   */
  private static String jsonProblem(InvalidProtocolBufferException e) {
    String message = String.valueOf(e.getMessage())
        .replaceAll("(?:[A-Za-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ?", "");
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof java.io.EOFException) {
        return "the text ends before the JSON is complete (" + message + ")";
      }
    }
    return message;
  }

  private void checkExplicit(String method) {
    if (disabled) {
      throw new UnimplementedException(
          method + " is disabled on this server (--disable-repository-rpcs)");
    }
    if (mode != ModelControlMode.EXPLICIT) {
      throw new FailedPreconditionException(
          method + " needs --model-control-mode explicit; this server runs in "
              + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode");
    }
  }

  private static void checkRepositoryName(String name) {
    if (!name.isEmpty()) {
      throw new UnimplementedException(
          "repository_name '" + name + "': Gantry serves its repositories as one; leave "
              + "repository_name empty");
    }
  }

  private <T> void run(StreamObserver<T> out, Supplier<T> call) {
    try {
      executor.execute(() -> {
        T response;
        try {
          response = call.get();
        } catch (RuntimeException e) {
          out.onError(StatusMapper.toException(e));
          return;
        }
        out.onNext(response);
        out.onCompleted();
      });
    } catch (RejectedExecutionException e) {
      out.onError(StatusMapper.toException(new UnavailableException(
          "the server is shutting down or has too many repository calls waiting; try again")));
    }
  }
}
