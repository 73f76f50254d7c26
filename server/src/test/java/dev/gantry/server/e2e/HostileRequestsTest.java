package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.input;
import static dev.gantry.server.e2e.Tensors.longs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.CudaSharedMemoryRegisterRequest;
import dev.gantry.proto.GRPCInferenceServiceGrpc;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.proto.ModelConfigRequest;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.ModelMetadataRequest;
import dev.gantry.proto.ModelReadyRequest;
import dev.gantry.proto.ModelRepositoryParameter;
import dev.gantry.proto.ModelStatisticsRequest;
import dev.gantry.proto.ModelStreamInferResponse;
import dev.gantry.proto.RepositoryIndexRequest;
import dev.gantry.proto.RepositoryIndexResponse.ModelIndex;
import dev.gantry.proto.RepositoryModelLoadRequest;
import dev.gantry.proto.RepositoryModelUnloadRequest;
import dev.gantry.proto.SystemSharedMemoryRegisterRequest;
import dev.gantry.proto.TraceSettingRequest;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.model.ModelControlMode;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile calls to every RPC but the ModelInfer checks {@link ValidationTest}
 * already covers: empty, unknown, oversized and path-like names, parameters of the wrong type,
 * uploads over the limit, bytes that are not protobuf at all, BYTES elements over the limit, and
 * streams that mix garbage with good requests. Each gets its precise status and a message naming
 * the problem (never a server path), and the server answers the next good request as if nothing
 * happened.
 */
class HostileRequestsTest {
  static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
  static final long MAX_BYTES_ELEMENT = 1024;
  static final long MAX_UPLOAD_BYTES = 64 * 1024;

  @TempDir static Path repository;
  static RunningServer gantry;

  /**
   * One hostile call: the status it must end with, a fragment its message must contain, and the
   * call itself; it returns what the server answered, for the cases that succeed.
   */
  record Case(String name, Status.Code code, String message, Supplier<?> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    new TestRepository(repository).onnx("broken", 1, "not an onnx model".getBytes());
    gantry = new RunningServer(ServerOptions.forRepositories(repository)
        .withMaxMessageBytes(MAX_MESSAGE_BYTES)
        .withBytesLimits(MAX_BYTES_ELEMENT, MAX_UPLOAD_BYTES)
        .withControlMode(ModelControlMode.EXPLICIT, Duration.ofSeconds(1), List.of("*")));
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub() {
    return gantry.blocking.withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static ModelInferRequest good() {
    return Tensors.addSub("simple", 1, 1f, 2f);
  }

  private static ModelMetadataRequest metadata(String name, String version) {
    return ModelMetadataRequest.newBuilder().setName(name).setVersion(version).build();
  }

  private static ModelRepositoryParameter string(String value) {
    return ModelRepositoryParameter.newBuilder().setStringParam(value).build();
  }

  private static ModelRepositoryParameter bytes(int size) {
    return ModelRepositoryParameter.newBuilder().setBytesParam(ByteString.copyFrom(new byte[size]))
        .build();
  }

  private static RepositoryModelLoadRequest.Builder load(String name) {
    return RepositoryModelLoadRequest.newBuilder().setModelName(name);
  }

  private static RepositoryModelLoadRequest upload(String file, ModelRepositoryParameter content) {
    return load("uploaded").putParameters("config", string("{\"backend\":\"onnxruntime\"}"))
        .putParameters("file:" + file, content).build();
  }

  private static LogSettingsRequest log(String name, LogSettingsRequest.SettingValue value) {
    return LogSettingsRequest.newBuilder().putSettings(name, value).build();
  }

  /** A request to the mixed model with one BYTES label, raw. */
  private static ModelInferRequest label(ByteString raw) {
    return ModelInferRequest.newBuilder()
        .setModelName("mixed")
        .addInputs(input("features", "FP32", 1, 4))
        .addInputs(input("offset", "INT64", 1, 1))
        .addInputs(input("label", "BYTES", 1, 1))
        .addRawInputContents(floats(new float[4]))
        .addRawInputContents(longs(0))
        .addRawInputContents(raw)
        .build();
  }

  /** A BYTES element with a declared length and the bytes that really follow. */
  private static ByteString element(int declared, int actual) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + actual).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(declared).put(new byte[actual]);
    return ByteString.copyFrom(buffer.flip());
  }

  private static InferParameter uint64(long value) {
    return InferParameter.newBuilder().setUint64Param(value).build();
  }

  /** Sends raw bytes as the request of a method, as a client with a broken encoder would. */
  /** A well-formed request of 256 KiB without its last bytes, so that it no longer parses. */
  private static byte[] truncatedLargeRequest() {
    byte[] whole = ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addRawInputContents(ByteString.copyFrom(new byte[256 * 1024]))
        .build()
        .toByteArray();
    return Arrays.copyOf(whole, whole.length - 100);
  }

  private static Object rawCall(String method, byte[] payload) {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(method)
        .setRequestMarshaller(new RawBytes())
        .setResponseMarshaller(new RawBytes())
        .build();
    return ClientCalls.blockingUnaryCall(gantry.channel, descriptor,
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), payload);
  }

  /** Bytes passed through untouched. */
  private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static List<ModelStreamInferResponse> stream(List<ModelInferRequest> requests) {
    return AsyncCalls.stream(gantry.async, requests);
  }

  /**
   * The garbage of a stream answered one by one, each with its code, and the good request after
   * it answered with its outputs.
   */
  private static Object garbageThenGood(List<ModelInferRequest> garbage, String expectedError) {
    List<ModelInferRequest> requests = new ArrayList<>(garbage);
    requests.add(good().toBuilder().setId("good").build());
    List<ModelStreamInferResponse> responses = stream(requests);
    assertEquals(requests.size(), responses.size());
    for (ModelStreamInferResponse response : responses) {
      if (response.getInferResponse().getId().equals("good")) {
        assertEquals("", response.getErrorMessage());
        assertEquals(2, response.getInferResponse().getRawOutputContentsCount());
      } else {
        assertTrue(response.getErrorMessage().startsWith(expectedError), response.getErrorMessage());
      }
    }
    return responses;
  }

  static Stream<Case> cases() {
    Status.Code invalid = Status.Code.INVALID_ARGUMENT;
    Status.Code notFound = Status.Code.NOT_FOUND;
    Status.Code ok = Status.Code.OK;
    String hugeName = "m".repeat(100_000);
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x00, 0x01};
    return Stream.of(
        // ModelMetadata
        new Case("metadata: empty name", invalid, "name is required",
            () -> stub().modelMetadata(metadata("", ""))),
        new Case("config: empty name", invalid, "name is required",
            () -> stub().modelConfig(ModelConfigRequest.getDefaultInstance())),
        new Case("metadata: relative path as name", notFound, "unknown model '../simple'",
            () -> stub().modelMetadata(metadata("../simple", ""))),
        new Case("metadata: absolute path as name is not echoed", notFound,
            "unknown model '<path>'", () -> stub().modelMetadata(metadata("/etc/passwd", ""))),
        new Case("metadata: NUL and newline in the name", notFound, "unknown model 'sim",
            () -> stub().modelMetadata(metadata("sim\0ple\n", ""))),
        new Case("metadata: 100 000-character name, answer cut to fit the trailers", notFound,
            "more characters)", () -> stub().modelMetadata(metadata(hugeName, ""))),
        new Case("metadata: negative version", notFound, "no version '-1'",
            () -> stub().modelMetadata(metadata("simple", "-1"))),
        new Case("metadata: version overflowing 64 bits", notFound,
            "no version '99999999999999999999999'",
            () -> stub().modelMetadata(metadata("simple", "99999999999999999999999"))),
        new Case("metadata: model that failed to load", Status.Code.UNAVAILABLE,
            "model 'broken' has no ready version",
            () -> stub().modelMetadata(metadata("broken", ""))),
        new Case("metadata: bytes that are not protobuf", invalid,
            "not a valid ModelMetadataRequest message",
            () -> rawCall("inference.GRPCInferenceService/ModelMetadata", garbage)),
        // ModelReady answers OK with ready false, whatever the name
        new Case("ready: empty name is not ready", ok, "",
            () -> assertReady(false, "", "")),
        new Case("ready: path as name is not ready", ok, "",
            () -> assertReady(false, "../../etc/passwd", "")),
        new Case("ready: version 0 is not ready", ok, "", () -> assertReady(false, "simple", "0")),
        new Case("ready: failed model is not ready", ok, "", () -> assertReady(false, "broken", "")),
        // ModelConfig
        new Case("config: unknown model", notFound, "unknown model 'nope'",
            () -> stub().modelConfig(ModelConfigRequest.newBuilder().setName("nope").build())),
        new Case("config: unknown label", notFound, "has no version 'latest'",
            () -> stub().modelConfig(ModelConfigRequest.newBuilder().setName("simple")
                .setVersion("latest").build())),
        new Case("config: model that failed to load", Status.Code.UNAVAILABLE, "broken",
            () -> stub().modelConfig(ModelConfigRequest.newBuilder().setName("broken").build())),
        // ModelStatistics
        new Case("statistics: unknown model", notFound, "unknown model 'nope'",
            () -> stub().modelStatistics(ModelStatisticsRequest.newBuilder().setName("nope")
                .build())),
        new Case("statistics: unknown version", notFound, "no version '7'",
            () -> stub().modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple")
                .setVersion("7").build())),
        new Case("statistics: path as name", notFound, "unknown model '../simple'",
            () -> stub().modelStatistics(ModelStatisticsRequest.newBuilder().setName("../simple")
                .build())),
        // RepositoryIndex
        new Case("index: another repository", Status.Code.UNIMPLEMENTED, "repository_name '../x'",
            () -> stub().repositoryIndex(RepositoryIndexRequest.newBuilder()
                .setRepositoryName("../x").build())),
        new Case("index: failure reasons name no server path", ok, "",
            () -> assertIndexHidesPaths()),
        // RepositoryModelLoad
        new Case("load: empty name", invalid, "model_name is empty",
            () -> stub().repositoryModelLoad(load("").build())),
        new Case("load: path as name", invalid, "is not a plain directory name",
            () -> stub().repositoryModelLoad(load("../simple").build())),
        new Case("load: hidden name", invalid, "is not a plain directory name",
            () -> stub().repositoryModelLoad(load(".simple").build())),
        new Case("load: NUL in the name", invalid, "is not a plain directory name",
            () -> stub().repositoryModelLoad(load("sim\0ple").build())),
        new Case("load: name longer than a file name", invalid, "bytes long",
            () -> stub().repositoryModelLoad(upload("1/model.onnx", bytes(4)).toBuilder()
                .setModelName("n".repeat(300)).build())),
        new Case("load: unknown parameter", invalid, "unknown parameter 'colour'",
            () -> stub().repositoryModelLoad(load("simple")
                .putParameters("colour", string("blue")).build())),
        new Case("load: config of the wrong type", invalid,
            "parameter 'config' must be a string_param",
            () -> stub().repositoryModelLoad(load("simple").putParameters("config", bytes(3))
                .build())),
        new Case("load: config that is not JSON", invalid, "not a valid JSON ModelConfig",
            () -> stub().repositoryModelLoad(load("simple")
                .putParameters("config", string("max_batch_size: 2")).build())),
        new Case("load: config JSON cut short", invalid, "parameter 'config' is not a valid JSON "
            + "ModelConfig: the text ends before the JSON is complete (",
            () -> stub().repositoryModelLoad(load("simple")
                .putParameters("config", string("{\"name\": ")).build())),
        new Case("load: config with an unknown field", invalid, "not a valid JSON ModelConfig",
            () -> stub().repositoryModelLoad(load("simple")
                .putParameters("config", string("{\"colour\": \"blue\"}")).build())),
        new Case("load: file of the wrong type", invalid, "must be a bytes_param",
            () -> stub().repositoryModelLoad(upload("1/model.onnx", string("onnx")))),
        new Case("load: absolute file path", invalid, "must be a relative path",
            () -> stub().repositoryModelLoad(upload("/etc/cron.d/x", bytes(4)))),
        new Case("load: file path escaping the model", invalid, "must be a relative path",
            () -> stub().repositoryModelLoad(upload("1/../../../x", bytes(4)))),
        new Case("load: NUL in a file path", invalid, "must be a relative path",
            () -> stub().repositoryModelLoad(upload("1/model\0.onnx", bytes(4)))),
        new Case("load: empty file path", invalid, "must be a relative path",
            () -> stub().repositoryModelLoad(upload("", bytes(4)))),
        new Case("load: files without config", invalid, "parameter 'config' is required",
            () -> stub().repositoryModelLoad(load("uploaded")
                .putParameters("file:1/model.onnx", bytes(4)).build())),
        new Case("load: files over --max-upload-size", Status.Code.RESOURCE_EXHAUSTED,
            "over the server's limit of " + MAX_UPLOAD_BYTES,
            () -> stub().repositoryModelLoad(upload("1/model.onnx",
                bytes((int) MAX_UPLOAD_BYTES + 1)))),
        new Case("load: model in no repository", notFound, "'nope' is not in any model repository",
            () -> stub().repositoryModelLoad(load("nope").build())),
        // RepositoryModelUnload
        new Case("unload: empty name", invalid, "model_name is empty",
            () -> stub().repositoryModelUnload(RepositoryModelUnloadRequest.getDefaultInstance())),
        new Case("unload: path as name", invalid, "is not a plain directory name",
            () -> stub().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder()
                .setModelName("../simple").build())),
        new Case("unload: unknown model", notFound, "unknown model 'nope'",
            () -> stub().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder()
                .setModelName("nope").build())),
        new Case("unload: unknown parameter", invalid, "unknown parameter 'force'",
            () -> stub().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder()
                .setModelName("simple").putParameters("force", string("yes")).build())),
        // LogSettings
        new Case("log: unknown setting", invalid, "unknown setting 'log_colour'",
            () -> stub().logSettings(log("log_colour",
                LogSettingsRequest.SettingValue.newBuilder().setBoolParam(true).build()))),
        new Case("log: boolean setting of the wrong type", invalid,
            "setting 'log_info' must be a bool_param",
            () -> stub().logSettings(log("log_info",
                LogSettingsRequest.SettingValue.newBuilder().setStringParam("yes").build()))),
        new Case("log: log file path", invalid, "setting 'log_file' is fixed",
            () -> stub().logSettings(log("log_file",
                LogSettingsRequest.SettingValue.newBuilder().setStringParam("/etc/passwd")
                    .build()))),
        new Case("log: unknown level", invalid, "unknown level 'LOUD'",
            () -> stub().logSettings(log("logger:dev.gantry",
                LogSettingsRequest.SettingValue.newBuilder().setStringParam("LOUD").build()))),
        // Unimplemented RPCs, whatever they are sent
        new Case("trace settings", Status.Code.UNIMPLEMENTED, "TraceSetting",
            () -> stub().traceSetting(TraceSettingRequest.newBuilder().setModelName("../x")
                .build())),
        new Case("system shared memory naming a device file", invalid,
            "is not a shared memory object name",
            () -> stub().systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest.newBuilder()
                .setName("x").setKey("/dev/mem").setByteSize(1L << 40).build())),
        new Case("CUDA shared memory", Status.Code.UNIMPLEMENTED, "CudaSharedMemoryRegister",
            () -> stub().cudaSharedMemoryRegister(
                CudaSharedMemoryRegisterRequest.newBuilder().setDeviceId(-1).build())),
        // Health
        new Case("health of an unknown service", notFound, "",
            () -> HealthGrpc.newBlockingStub(gantry.channel).check(
                HealthCheckRequest.newBuilder().setService("../../etc/passwd").build())),
        // ModelInfer: what ValidationTest does not cover
        new Case("infer: bytes that are not protobuf", invalid,
            "not a valid ModelInferRequest message",
            () -> rawCall("inference.GRPCInferenceService/ModelInfer", garbage)),
        new Case("infer: large message cut short (parsed into a direct buffer)", invalid,
            "not a valid ModelInferRequest message",
            () -> rawCall("inference.GRPCInferenceService/ModelInfer", truncatedLargeRequest())),
        new Case("infer: message over --max-message-size", Status.Code.RESOURCE_EXHAUSTED,
            Integer.toString(MAX_MESSAGE_BYTES),
            () -> stub().modelInfer(label(element(MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES)))),
        new Case("infer: raw BYTES element over --max-bytes-element-size",
            Status.Code.RESOURCE_EXHAUSTED,
            "element 0 has 1025 bytes, over the server's limit of 1024 bytes per BYTES element",
            () -> stub().modelInfer(label(element(1025, 1025)))),
        new Case("infer: typed BYTES element over --max-bytes-element-size",
            Status.Code.RESOURCE_EXHAUSTED,
            "contents.bytes_contents element 0 has 4096 bytes, over the server's limit of 1024",
            () -> stub().modelInfer(ModelInferRequest.newBuilder().setModelName("mixed")
                .addInputs(input("features", "FP32", 1, 4).toBuilder().setContents(
                    InferTensorContents.newBuilder().addAllFp32Contents(List.of(1f, 2f, 3f, 4f))))
                .addInputs(input("offset", "INT64", 1, 1).toBuilder().setContents(
                    InferTensorContents.newBuilder().addInt64Contents(1)))
                .addInputs(input("label", "BYTES", 1, 1).toBuilder().setContents(
                    InferTensorContents.newBuilder().addBytesContents(
                        ByteString.copyFrom(new byte[4096]))))
                .build())),
        new Case("infer: BYTES length of 2^32-1 pointing past the buffer", invalid,
            "element 0 declares 4294967295 bytes but only 2 remain",
            () -> stub().modelInfer(label(element(-1, 2)))),
        new Case("infer: priority 2^64-1", invalid, "parameter 'priority' is 18446744073709551615",
            () -> stub().modelInfer(good().toBuilder().putParameters("priority", uint64(-1))
                .build())),
        new Case("infer: timeout of 2^63-1 microseconds is no limit", ok, "",
            () -> stub().modelInfer(good().toBuilder().putParameters("timeout",
                InferParameter.newBuilder().setInt64Param(Long.MAX_VALUE).build()).build())),
        new Case("infer: empty input name", invalid, "unknown input ''",
            () -> stub().modelInfer(good().toBuilder().setInputs(0, input("", "FP32", 1, 16))
                .build())),
        new Case("infer: NaN and infinities are values like any other", ok, "",
            () -> assertNonFinitePassThrough()),
        // ModelStreamInfer
        new Case("stream: bytes that are not protobuf end the stream", invalid,
            "not a valid ModelInferRequest message", () -> streamGarbageBytes(garbage)),
        new Case("stream: an unknown model then a good request", ok, "",
            () -> garbageThenGood(List.of(
                good().toBuilder().setModelName("nope").setId("a").build()), "NOT_FOUND: ")),
        new Case("stream: no model name then a good request", ok, "",
            () -> garbageThenGood(List.of(good().toBuilder().setModelName("").setId("b").build()),
                "INVALID_ARGUMENT: model_name is required")),
        new Case("stream: 300 malformed requests then a good one", ok, "",
            () -> garbageThenGood(malformed(300), "INVALID_ARGUMENT: ")),
        new Case("stream: oversized BYTES elements then a good request", ok, "",
            () -> garbageThenGood(List.of(label(element(5000, 5000)).toBuilder().setId("x")
                .build()), "RESOURCE_EXHAUSTED: ")));
  }

  private static Object assertReady(boolean expected, String name, String version) {
    boolean ready = stub().modelReady(ModelReadyRequest.newBuilder().setName(name)
        .setVersion(version).build()).getReady();
    assertEquals(expected, ready, name + " " + version);
    return ready;
  }

  private static Object assertIndexHidesPaths() {
    List<ModelIndex> models = stub().repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
        .getModelsList();
    ModelIndex broken = models.stream().filter(m -> m.getName().equals("broken")).findFirst()
        .orElseThrow();
    assertEquals("UNAVAILABLE", broken.getState());
    assertFalse(broken.getReason().isEmpty());
    for (ModelIndex model : models) {
      assertFalse(model.getReason().contains(repository.toString()), model.getReason());
      assertFalse(model.getReason().contains(System.getProperty("java.io.tmpdir")),
          model.getReason());
    }
    return models;
  }

  private static Object assertNonFinitePassThrough() {
    float[] x = new float[16];
    float[] y = new float[16];
    x[0] = Float.NaN;
    x[1] = Float.POSITIVE_INFINITY;
    x[2] = Float.NEGATIVE_INFINITY;
    ModelInferResponse response = stub().modelInfer(ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(input("INPUT0", "FP32", 1, 16))
        .addInputs(input("INPUT1", "FP32", 1, 16))
        .addRawInputContents(floats(x))
        .addRawInputContents(floats(y))
        .build());
    float[] sum = Tensors.floatsOf(Tensors.output(response, "OUTPUT0"));
    assertTrue(Float.isNaN(sum[0]));
    assertEquals(Float.POSITIVE_INFINITY, sum[1]);
    assertEquals(Float.NEGATIVE_INFINITY, sum[2]);
    return response;
  }

  private static List<ModelInferRequest> malformed(int count) {
    List<ModelInferRequest> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ModelInferRequest.Builder bad = good().toBuilder().setId("bad" + i);
      switch (i % 3) {
        case 0 -> bad.setInputs(0, input("INPUT0", "FP32", 1L << 40, 16));
        case 1 -> bad.setInputs(1, input("INPUT1", "BOOL", 1, 16));
        default -> bad.setRawInputContents(0, ByteString.copyFrom(new byte[3]));
      }
      requests.add(bad.build());
    }
    return requests;
  }

  /** Unparseable bytes on a stream end it with INVALID_ARGUMENT; a new stream works. */
  private static Object streamGarbageBytes(byte[] garbage) {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName("inference.GRPCInferenceService/ModelStreamInfer")
        .setRequestMarshaller(new RawBytes())
        .setResponseMarshaller(new RawBytes())
        .build();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<byte[]> out = ClientCalls.asyncBidiStreamingCall(
        gantry.channel.newCall(descriptor, CallOptions.DEFAULT), new StreamObserver<>() {
          @Override
          public void onNext(byte[] response) {}

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    out.onNext(good().toByteArray());
    out.onNext(garbage);
    out.onNext(good().toByteArray());
    out.onCompleted();
    try {
      done.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException status) {
        garbageThenGood(List.of(), "");
        throw status;
      }
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the stream ended cleanly after garbage");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hostileCallGetsItsStatusAndTheServerKeepsServing(Case hostile) {
    if (hostile.code() == Status.Code.OK) {
      hostile.call().get();
    } else {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> hostile.call().get());
      assertEquals(hostile.code(), e.getStatus().getCode(), e.getStatus().toString());
      String description = String.valueOf(e.getStatus().getDescription());
      assertTrue(description.contains(hostile.message()),
          "expected '" + hostile.message() + "' in: " + description);
      assertFalse(description.contains(repository.toString()), description);
      assertFalse(description.contains("\tat "), description);
      assertFalse(description.matches("(?s).*\\bjava\\.[a-z.]+\\.[A-Z]\\w*Exception.*"),
          "a Java exception class in: " + description);
    }
    assertEquals(2, stub().modelInfer(good()).getRawOutputContentsCount());
  }

  @Test
  void oversizedMessagesDoNotWriteAStackTraceEach() {
    java.util.logging.Logger grpcStream =
        java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream");
    List<java.util.logging.LogRecord> published = new ArrayList<>();
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public synchronized void publish(java.util.logging.LogRecord record) {
        published.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    ch.qos.logback.classic.Logger refusals = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("dev.gantry.server.transport.RefusedMessageLog");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    grpcStream.addHandler(handler);
    refusals.addAppender(lines);
    try {
      for (int i = 0; i < 10; i++) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> stub().modelInfer(label(element(MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES))));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      }
    } finally {
      grpcStream.removeHandler(handler);
      refusals.detachAppender(lines);
    }
    synchronized (handler) {
      assertTrue(published.stream().noneMatch(record -> record.getThrown() != null),
          "grpc-java logged a stack trace for a refused message");
    }
    assertTrue(lines.list.size() <= 1, "one line per 10 s at most: " + lines.list);
    assertTrue(lines.list.stream().allMatch(line -> line.getThrowableProxy() == null
        && line.getFormattedMessage().contains("RESOURCE_EXHAUSTED: gRPC message exceeds")));
    assertEquals(2, stub().modelInfer(good()).getRawOutputContentsCount());
  }
}
