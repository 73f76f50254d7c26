package dev.gantry.server.e2e;

import static dev.gantry.server.e2e.Tensors.floats;
import static dev.gantry.server.e2e.Tensors.floatsOf;
import static dev.gantry.server.e2e.Tensors.input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import dev.gantry.backend.tensorflow.SavedModels;
import dev.gantry.modelgen.ExampleRepository;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.proto.SystemSharedMemoryRegisterRequest;
import dev.gantry.proto.SystemSharedMemoryUnregisterRequest;
import dev.gantry.server.GantryServer;
import dev.gantry.server.ServerOptions;
import dev.gantry.server.http.HttpOptions;
import dev.gantry.server.memory.SharedMemoryRegistry;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KServe v2 HTTP/REST API end to end: real HTTP on loopback into real ONNX Runtime and
 * TensorFlow sessions, answers compared with the same requests over gRPC, and every wrong request
 * answered with its HTTP status and the gRPC path's own message while the server goes on serving.
 */
class HttpApiTest {
  private static final float[][] WEIGHTS = {{1f, -2f}, {0.5f, 3f}, {-1f, 0.25f}};
  private static final float[] BIAS = {0.5f, -1f};
  private static final int MAX_BODY = 1 << 20;

  @TempDir static Path repository;
  static RunningServer gantry;
  static HttpClient http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    ExampleRepository.write(repository);
    Path broken = Files.createDirectories(repository.resolve("broken").resolve("1"));
    Files.write(broken.resolve("model.onnx"), new byte[] {1, 2, 3});
    Path dense = repository.resolve("dense_tf").resolve("1").resolve("model.savedmodel");
    Files.createDirectories(dense.getParent());
    SavedModels.dense(dense, WEIGHTS, BIAS);
    gantry = new RunningServer(ServerOptions.forRepositories(repository)
        .withMaxMessageBytes(MAX_BODY)
        .withHttp(new HttpOptions(0, Duration.ofSeconds(1))));
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    base = "http://127.0.0.1:" + gantry.server.httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    gantry.close();
  }

  /** Whatever a test did to its own connection, everyone else is still served. */
  @AfterEach
  void othersAreStillServed() throws Exception {
    HttpResponse<String> answer = get("/v2/health/ready");
    assertEquals(200, answer.statusCode());
    JsonObject result = json(post("/v2/models/simple/infer", simpleJson(1f, 2f)));
    assertArrayEquals(expectedSum(1f, 2f), floatData(output(result, "OUTPUT0")));
  }

  @Test
  void aTakenPortStopsTheStartWithItsName(@TempDir Path empty) {
    int taken = gantry.server.httpPort();
    IOException refused = assertThrows(IOException.class, () -> GantryServer.start(
        ServerOptions.forRepositories(empty).withHttp(new HttpOptions(taken, Duration.ofSeconds(1)))));
    assertTrue(refused.getMessage().startsWith(
        "cannot open the HTTP port 127.0.0.1:" + taken + " (--http-port): "), refused.getMessage());
  }

  @Test
  void healthAndMetadata() throws Exception {
    assertEquals(200, get("/v2/health/live").statusCode());
    assertEquals(200, get("/v2/health/ready").statusCode());
    JsonObject server = json(get("/v2"));
    assertEquals("gantry", server.get("name").getAsString());
    assertTrue(server.getAsJsonArray("extensions").toString().contains("model_repository"));

    JsonObject model = json(get("/v2/models/simple"));
    assertEquals("simple", model.get("name").getAsString());
    assertEquals("onnxruntime_onnx", model.get("platform").getAsString());
    JsonObject input = model.getAsJsonArray("inputs").get(0).getAsJsonObject();
    assertEquals("INPUT0", input.get("name").getAsString());
    assertEquals("FP32", input.get("datatype").getAsString());
    assertEquals("[-1,16]", input.get("shape").toString());
    assertEquals(model, json(get("/v2/models/simple/versions/1")));

    assertEquals(200, get("/v2/models/simple/ready").statusCode());
    assertEquals(200, get("/v2/models/simple/versions/1/ready").statusCode());
    assertEquals(400, get("/v2/models/nope/ready").statusCode());
  }

  @Test
  void configStatisticsIndexAndLogging() throws Exception {
    JsonObject config = json(get("/v2/models/simple/config"));
    assertEquals("simple", config.get("name").getAsString());
    assertEquals(8, config.get("max_batch_size").getAsInt());
    assertEquals("[16]", config.getAsJsonArray("input").get(0).getAsJsonObject()
        .get("dims").toString());

    post("/v2/models/simple/infer", simpleJson(3f, 4f));
    JsonObject stats = json(get("/v2/models/simple/stats"));
    JsonObject simple = stats.getAsJsonArray("model_stats").get(0).getAsJsonObject();
    assertEquals("simple", simple.get("name").getAsString());
    assertTrue(simple.get("inference_count").getAsJsonPrimitive().isNumber());
    assertTrue(simple.get("inference_count").getAsLong() >= 1);
    assertTrue(json(get("/v2/models/stats")).getAsJsonArray("model_stats").size() >= 3);

    HttpResponse<String> index = post("/v2/repository/index", "{\"ready\": true}");
    assertEquals(200, index.statusCode());
    JsonArray models = JsonParser.parseString(index.body()).getAsJsonArray();
    assertTrue(models.toString().contains("\"name\":\"simple\""), models.toString());
    assertTrue(models.toString().contains("\"state\":\"READY\""), models.toString());

    HttpResponse<String> logging = get("/v2/logging");
    assertEquals(200, logging.statusCode(), logging.body());
    assertTrue(json(logging).has("log_info"), logging.body());
  }

  @Test
  void repositoryLoadAndUnloadAnswerAsGrpcDoes() throws Exception {
    String expected = grpcFailure(() -> gantry.blocking.repositoryModelUnload(
        dev.gantry.proto.RepositoryModelUnloadRequest.newBuilder()
            .setModelName("simple").build()));
    HttpResponse<String> unload = post("/v2/repository/models/simple/unload", "");
    assertEquals(expected, unload.statusCode() + " " + error(unload));
  }

  @Test
  void jsonInferenceOnOnnxGivesTheGrpcAnswer() throws Exception {
    float[] a = new float[32];
    float[] b = new float[32];
    for (int i = 0; i < 32; i++) {
      a[i] = i * 0.5f;
      b[i] = 1f - i;
    }
    ModelInferResponse grpc = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("simple")
        .addInputs(input("INPUT0", "FP32", 2, 16))
        .addInputs(input("INPUT1", "FP32", 2, 16))
        .addRawInputContents(floats(a))
        .addRawInputContents(floats(b))
        .build());
    String nested = "{\"id\": \"r1\", \"inputs\": ["
        + "{\"name\":\"INPUT0\",\"shape\":[2,16],\"datatype\":\"FP32\",\"data\":"
        + nestedRows(a) + "},"
        + "{\"name\":\"INPUT1\",\"shape\":[2,16],\"datatype\":\"FP32\",\"data\":"
        + Arrays.toString(b) + "}]}";
    JsonObject result = json(post("/v2/models/simple/infer", nested));
    assertEquals("simple", result.get("model_name").getAsString());
    assertEquals("1", result.get("model_version").getAsString());
    assertEquals("r1", result.get("id").getAsString());
    for (String name : List.of("OUTPUT0", "OUTPUT1")) {
      JsonObject output = output(result, name);
      assertEquals("FP32", output.get("datatype").getAsString());
      assertEquals("[2,16]", output.get("shape").toString());
      assertArrayEquals(floatsOf(Tensors.output(grpc, name)), floatData(output));
    }
  }

  @Test
  void jsonInferenceOnTensorFlowGivesTheGrpcAnswer() throws Exception {
    float[] x = {1f, 2f, 3f, -1f, 0.5f, 4f};
    ModelInferResponse grpc = gantry.blocking.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("dense_tf")
        .addInputs(input("x", "FP32", 2, 3))
        .addRawInputContents(floats(x))
        .build());
    String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\","
        + "\"data\":" + Arrays.toString(x) + "}]}";
    JsonObject output = output(json(post("/v2/models/dense_tf/infer", body)), "y");
    assertEquals("[2,2]", output.get("shape").toString());
    assertArrayEquals(floatsOf(Tensors.output(grpc, "y")), floatData(output));
  }

  @Test
  void binaryInferenceGivesTheGrpcBytes() throws Exception {
    float[] a = new float[16];
    float[] b = new float[16];
    Arrays.fill(a, 2.5f);
    Arrays.fill(b, -1f);
    ModelInferResponse grpc = gantry.blocking.modelInfer(Tensors.addSub("simple", 1, 2.5f, -1f));
    Binary body = binaryBody(
        "{\"inputs\":[" + binaryInput("INPUT0", 64) + "," + binaryInput("INPUT1", 64) + "],"
            + "\"outputs\":[{\"name\":\"OUTPUT1\",\"parameters\":{\"binary_data\":true}},"
            + "{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":false}}]}",
        floats(a), floats(b));
    HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(uri("/v2/models/simple/infer"))
        .header("Inference-Header-Content-Length", String.valueOf(body.jsonLength()))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, answer.statusCode());
    int headerLength = Integer.parseInt(
        answer.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    JsonObject header = JsonParser.parseString(
        new String(answer.body(), 0, headerLength, StandardCharsets.UTF_8)).getAsJsonObject();
    JsonObject binary = output(header, "OUTPUT1");
    assertEquals(64, binary.getAsJsonObject("parameters").get("binary_data_size").getAsInt());
    assertFalse(binary.has("data"));
    byte[] raw = Arrays.copyOfRange(answer.body(), headerLength, answer.body().length);
    assertArrayEquals(Tensors.output(grpc, "OUTPUT1").toByteArray(), raw);
    assertArrayEquals(floatsOf(Tensors.output(grpc, "OUTPUT0")),
        floatData(output(header, "OUTPUT0")));
  }

  @Test
  void anOutputWrittenToSharedMemoryComesBackWithoutData() throws Exception {
    String key = "/gantry-http-test-" + UUID.randomUUID();
    Path object = SharedMemoryRegistry.SYSTEM_DIRECTORY.resolve(key.substring(1));
    try (FileChannel channel = FileChannel.open(object, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer region = channel.map(FileChannel.MapMode.READ_WRITE, 0, 64);
      region.order(ByteOrder.LITTLE_ENDIAN);
      gantry.blocking.systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest.newBuilder()
          .setName("http-out").setKey(key).setByteSize(64).build());
      String inputs = simpleJson(1f, 2f);
      String body = inputs.substring(0, inputs.length() - 1)
          + ",\"parameters\":{\"binary_data_output\":true},\"outputs\":["
          + "{\"name\":\"OUTPUT0\",\"parameters\":{\"shared_memory_region\":\"http-out\","
          + "\"shared_memory_byte_size\":64}},{\"name\":\"OUTPUT1\"}]}";
      HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(uri("/v2/models/simple/infer"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, answer.statusCode(), new String(answer.body(), StandardCharsets.UTF_8));
      int headerLength = Integer.parseInt(
          answer.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
      JsonObject header = JsonParser.parseString(
          new String(answer.body(), 0, headerLength, StandardCharsets.UTF_8)).getAsJsonObject();
      JsonObject inRegion = output(header, "OUTPUT0");
      assertFalse(inRegion.has("data"), inRegion.toString());
      JsonObject parameters = inRegion.getAsJsonObject("parameters");
      assertFalse(parameters.has("binary_data_size"), inRegion.toString());
      assertEquals("http-out", parameters.get("shared_memory_region").getAsString());
      assertEquals(64, parameters.get("shared_memory_byte_size").getAsInt());
      float[] written = new float[16];
      region.asFloatBuffer().get(written);
      assertArrayEquals(expectedSum(1f, 2f), written);
      JsonObject binary = output(header, "OUTPUT1");
      assertEquals(64, binary.getAsJsonObject("parameters").get("binary_data_size").getAsInt());
      assertEquals(headerLength + 64, answer.body().length,
          "only the output not in shared memory follows the JSON");
    } finally {
      gantry.blocking.systemSharedMemoryUnregister(
          SystemSharedMemoryUnregisterRequest.newBuilder().setName("http-out").build());
      Files.deleteIfExists(object);
    }
  }

  @Test
  void compressedRequestAndResponse() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(zipped)) {
      gzip.write(simpleJson(5f, 1f).getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(uri("/v2/models/simple/infer"))
        .header("Content-Encoding", "gzip")
        .header("Accept-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, answer.statusCode());
    assertEquals("gzip", answer.headers().firstValue("Content-Encoding").orElseThrow());
    String body;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(answer.body()))) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonObject result = JsonParser.parseString(body).getAsJsonObject();
    assertArrayEquals(expectedSum(5f, 1f), floatData(output(result, "OUTPUT0")));
  }

  /** A wrong request over HTTP and the same request over gRPC. */
  record Mistake(String name, String path, String json, ModelInferRequest grpc, int status) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Mistake> mistakes() {
    String one = "\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":" + Arrays.toString(new float[16]);
    ModelInferRequest.Builder good = Tensors.addSub("simple", 1, 0f, 0f).toBuilder();
    return Stream.of(
        new Mistake("unknown model", "/v2/models/nope/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\"," + one + "}]}",
            good.clone().setModelName("nope").build(), 404),
        new Mistake("unknown version", "/v2/models/simple/versions/9/infer",
            simpleJson(0f, 0f), good.clone().setModelVersion("9").build(), 404),
        new Mistake("wrong datatype", "/v2/models/simple/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"FP64\",\"data\":"
                + Arrays.toString(new double[16]) + "},{\"name\":\"INPUT1\"," + one + "}]}",
            typed(good, 0, "FP64"), 400),
        new Mistake("wrong shape", "/v2/models/simple/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,8],\"datatype\":\"FP32\",\"data\":"
                + Arrays.toString(new float[8]) + "},{\"name\":\"INPUT1\"," + one + "}]}",
            shaped(good, 0, 1, 8), 400),
        new Mistake("missing input", "/v2/models/simple/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\"," + one + "}]}",
            good.clone().removeInputs(1).clearRawInputContents()
                .addRawInputContents(floats(new float[16])).build(), 400),
        new Mistake("model not ready", "/v2/models/broken/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\"," + one + "}]}",
            good.clone().setModelName("broken").build(), 503),
        new Mistake("batch over max_batch_size", "/v2/models/simple/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[9,16],\"datatype\":\"FP32\","
                + "\"data\":" + Arrays.toString(new float[144]) + "},{\"name\":\"INPUT1\","
                + "\"shape\":[9,16],\"datatype\":\"FP32\",\"data\":"
                + Arrays.toString(new float[144]) + "}]}",
            Tensors.addSub("simple", 9, 0f, 0f), 400),
        new Mistake("priority out of range", "/v2/models/simple/infer",
            simpleJson(0f, 0f).replaceFirst("}$", ",\"parameters\":{\"priority\":3}}"),
            good.clone().putParameters("priority",
                InferParameter.newBuilder().setInt64Param(3).build()).build(), 400),
        new Mistake("unsupported sequence_id", "/v2/models/simple/infer",
            simpleJson(0f, 0f).replaceFirst("}$", ",\"parameters\":{\"sequence_id\":5}}"),
            good.clone().putParameters("sequence_id",
                InferParameter.newBuilder().setInt64Param(5).build()).build(), 501),
        new Mistake("unknown output", "/v2/models/simple/infer",
            simpleJson(0f, 0f).replaceFirst("}$", ",\"outputs\":[{\"name\":\"NOPE\"}]}"),
            good.clone().addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                .setName("NOPE")).build(), 400));
  }

  private static ModelInferRequest typed(ModelInferRequest.Builder good, int i, String datatype) {
    ModelInferRequest.Builder request = good.clone();
    request.setInputs(i, request.getInputs(i).toBuilder().setDatatype(datatype))
        .setRawInputContents(i, ByteString.copyFrom(new byte[16 * 8]));
    return request.build();
  }

  private static ModelInferRequest shaped(ModelInferRequest.Builder good, int i, long... shape) {
    ModelInferRequest.Builder request = good.clone();
    ModelInferRequest.InferInputTensor.Builder input = request.getInputs(i).toBuilder().clearShape();
    Arrays.stream(shape).forEach(input::addShape);
    request.setInputs(i, input).setRawInputContents(i, floats(new float[8]));
    return request.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void wrongRequestGetsTheGrpcMessageAndItsHttpStatus(Mistake mistake) throws Exception {
    String expected = grpcFailure(() -> gantry.blocking.modelInfer(mistake.grpc()));
    HttpResponse<String> answer = post(mistake.path(), mistake.json());
    assertEquals(mistake.status(), answer.statusCode(), answer.body());
    assertEquals(expected, answer.statusCode() + " " + error(answer));
  }

  @Test
  void malformedBodiesAndPathsGetAPreciseAnswer() throws Exception {
    HttpResponse<String> malformed = post("/v2/models/simple/infer", "{\"inputs\": [");
    assertEquals(400, malformed.statusCode());
    assertTrue(error(malformed).startsWith("malformed JSON in the body"), malformed.body());

    HttpResponse<String> notNumbers = post("/v2/models/simple/infer",
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,1],\"datatype\":\"FP32\","
            + "\"data\":[\"x\"]}]}");
    assertEquals(400, notNumbers.statusCode());
    assertEquals("inputs[0].data[0]: expected a number for FP32, got \"x\"", error(notNumbers));

    HttpResponse<String> unknown = get("/v2/nowhere");
    assertEquals(404, unknown.statusCode());
    assertEquals("no endpoint GET /v2/nowhere", error(unknown));

    HttpResponse<String> wrongMethod = get("/v2/models/simple/infer");
    assertEquals(405, wrongMethod.statusCode());
    assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());

    Binary body = binaryBody("{\"inputs\":[" + binaryInput("INPUT0", 64) + ","
        + binaryInput("INPUT1", 64) + "]}", floats(new float[16]), floats(new float[16]));
    int length = body.bytes().length;
    HttpResponse<String> tooLong = http.send(HttpRequest.newBuilder(uri("/v2/models/simple/infer"))
        .header("Inference-Header-Content-Length", String.valueOf(length + 1))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, tooLong.statusCode());
    assertEquals("Inference-Header-Content-Length is '" + (length + 1) + "': expected the length "
        + "of the JSON header, from 0 to the body's " + length + " bytes", error(tooLong));

    HttpResponse<String> short64 = http.send(HttpRequest.newBuilder(uri("/v2/models/simple/infer"))
        .header("Inference-Header-Content-Length", String.valueOf(body.jsonLength()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(body.bytes(), length - 4)))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, short64.statusCode());
    assertEquals("inputs[1].parameters.binary_data_size is 64 but only 60 bytes of binary data "
        + "are left after the JSON header", error(short64));

    Binary mixedBody = binaryBody("{\"inputs\":[" + binaryInput("INPUT0", 64)
        + ",{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":"
        + Arrays.toString(new float[16]) + "}]}", floats(new float[16]));
    HttpResponse<String> mixed = http.send(HttpRequest.newBuilder(uri("/v2/models/simple/infer"))
        .header("Inference-Header-Content-Length", String.valueOf(mixedBody.jsonLength()))
        .POST(HttpRequest.BodyPublishers.ofByteArray(mixedBody.bytes())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, mixed.statusCode(), mixed.body());
    assertEquals("inputs[1] has JSON data but inputs[0] has binary data: send every input of a "
        + "request the same way", error(mixed));
  }

  @Test
  void numbersAndPathsNoParserTakesGetA400() throws Exception {
    HttpResponse<String> huge = post("/v2/models/simple/infer",
        simpleJson(1f, 1f).replaceFirst("}$", ",\"parameters\":{\"priority\":1e10000}}"));
    assertEquals(400, huge.statusCode(), huge.body());
    assertTrue(error(huge).startsWith("a number in the body is out of range or too long"),
        huge.body());
    HttpResponse<String> unsigned = post("/v2/models/simple/infer",
        simpleJson(1f, 1f).replaceFirst("}$",
            ",\"parameters\":{\"priority\":18446744073709551615}}"));
    assertEquals(400, unsigned.statusCode(), unsigned.body());
    String answer = exchange("GET /v2/models/%zz/ready HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    assertTrue(answer.contains("{\"error\":\"malformed path: "), answer);
    HttpResponse<String> negative = post("/v2/models/simple/infer", "{\"inputs\":[{\"name\":"
        + "\"INPUT0\",\"shape\":[1,16],\"datatype\":\"FP32\",\"parameters\":"
        + "{\"binary_data_size\":-4}}]}");
    assertEquals(400, negative.statusCode());
    assertEquals("inputs[0].parameters.binary_data_size is -4: expected the input's byte count, "
        + "0 or more", error(negative));
  }

  @Test
  void nothingAfterAClosingOrMalformedRequestIsRead() throws Exception {
    String answers = exchange("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\nGET /v2/nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(1, answers.split("HTTP/1\\.1 ", -1).length - 1, answers);
    assertTrue(answers.startsWith("HTTP/1.1 200"), answers);
    String answer = exchange("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n"
        + "X-Long: " + "a".repeat(10_000) + "\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    assertTrue(answer.contains("connection: close"), "a malformed request ends its connection");
    assertTrue(answer.contains("malformed HTTP request: "), answer);
  }

  @Test
  void bodyOverTheLimitGets413() throws Exception {
    String answer = exchange("POST /v2/models/simple/infer HTTP/1.1\r\n"
        + "Host: x\r\nContent-Length: " + (2 * MAX_BODY) + "\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    assertTrue(answer.contains("the request body is larger than the limit of " + MAX_BODY
        + " bytes (--max-message-size)"), answer);
  }

  /** With or without {@code Expect: 100-continue}: the same 413, after the answer before it. */
  @ParameterizedTest
  @ValueSource(strings = {"", "Expect: 100-continue\r\n"})
  void anOversizedRequestPipelinedBehindAnotherIsAnsweredAfterIt(String expect) throws Exception {
    String first = simpleJson(3f, 4f);
    String answer = exchange("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + first.length() + "\r\n\r\n"
        + first
        + "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\n" + expect + "Content-Length: "
        + (2 * MAX_BODY) + "\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    int refusal = answer.indexOf("HTTP/1.1 413");
    assertTrue(refusal > answer.indexOf("\"outputs\""), "the first request's answer comes first: "
        + answer);
    assertTrue(answer.contains("the request body is larger than the limit of " + MAX_BODY
        + " bytes (--max-message-size)"), answer);
    assertFalse(answer.contains("100 Continue"), answer);
  }

  @Test
  void slowClientGets408WhileOthersAreServed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gantry.server.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v2/models/simple/infer HTTP/1.1\r\n"
          + "Host: x\r\nContent-Length: 100\r\n\r\n{\"inputs\"")
          .getBytes(StandardCharsets.US_ASCII));
      JsonObject meanwhile = json(post("/v2/models/simple/infer", simpleJson(1f, 1f)));
      assertArrayEquals(expectedSum(1f, 1f), floatData(output(meanwhile, "OUTPUT0")));
      String answer = readAll(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains(
          "the request did not arrive within 1 s (--http-body-timeout-secs)"), answer);
    }
  }

  @Test
  void aKeptAliveConnectionDrippingTheHeadersOfItsNextRequestGets408() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gantry.server.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread drip = new Thread(() -> {
        try {
          for (byte b : "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII)) {
            out.write(b);
            out.flush();
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException closedByTheServer) {
          return;
        }
      }, "test-header-drip");
      long start = System.nanoTime();
      drip.start();
      String answer = readAll(socket.getInputStream());
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      drip.interrupt();
      drip.join();
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      assertTrue(answer.contains("HTTP/1.1 408"), answer);
      assertTrue(answer.contains(
          "the request did not arrive within 1 s (--http-body-timeout-secs)"), answer);
      assertTrue(elapsedMillis < 5_000, "closed after " + elapsedMillis + " ms, not when the"
          + " drip of about 10 s would have ended");
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    String infer = simpleJson(2f, 2f);
    String requests = "GET /v2/models/simple HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + infer.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + infer
        + "GET /v2/nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /v2/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    String answers = exchange(requests);
    List<Integer> order = new ArrayList<>();
    for (String part : answers.split("HTTP/1\\.1 ")) {
      if (!part.isEmpty()) {
        order.add(Integer.parseInt(part.substring(0, 3)));
      }
    }
    assertEquals(List.of(200, 200, 404, 200), order, answers);
    int metadata = answers.indexOf("\"platform\"");
    int outputs = answers.indexOf("\"outputs\":[{\"name\":\"OUTPUT0\"");
    assertTrue(metadata > 0 && outputs > metadata, answers);
  }

  private static String simpleJson(float a, float b) {
    float[] x = new float[16];
    float[] y = new float[16];
    Arrays.fill(x, a);
    Arrays.fill(y, b);
    return "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":"
        + Arrays.toString(x) + "},{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"FP32\","
        + "\"data\":" + Arrays.toString(y) + "}]}";
  }

  private static float[] expectedSum(float a, float b) {
    float[] sum = new float[16];
    Arrays.fill(sum, a + b);
    return sum;
  }

  private static String nestedRows(float[] values) {
    return "[" + Arrays.toString(Arrays.copyOfRange(values, 0, 16)) + ","
        + Arrays.toString(Arrays.copyOfRange(values, 16, 32)) + "]";
  }

  private static String binaryInput(String name, int bytes) {
    return "{\"name\":\"" + name + "\",\"shape\":[1,16],\"datatype\":\"FP32\","
        + "\"parameters\":{\"binary_data_size\":" + bytes + "}}";
  }

  /** A body of the binary tensor data extension: a JSON header, then the tensors' bytes. */
  record Binary(byte[] bytes, int jsonLength) {}

  private static Binary binaryBody(String json, ByteString... tensors) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    body.write(header);
    for (ByteString tensor : tensors) {
      tensor.writeTo(body);
    }
    return new Binary(body.toByteArray(), header.length);
  }

  private static float[] floatData(JsonObject output) {
    JsonArray data = output.getAsJsonArray("data");
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.get(i).getAsFloat();
    }
    return values;
  }

  private static JsonObject output(JsonObject result, String name) {
    for (JsonElement output : result.getAsJsonArray("outputs")) {
      if (output.getAsJsonObject().get("name").getAsString().equals(name)) {
        return output.getAsJsonObject();
      }
    }
    throw new AssertionError("no output " + name + " in " + result);
  }

  private static String grpcFailure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      int status = switch (e.getStatus().getCode()) {
        case NOT_FOUND -> 404;
        case INVALID_ARGUMENT, FAILED_PRECONDITION -> 400;
        case UNAVAILABLE -> 503;
        case UNIMPLEMENTED -> 501;
        case RESOURCE_EXHAUSTED -> 429;
        case DEADLINE_EXCEEDED -> 504;
        default -> 500;
      };
      return status + " " + e.getStatus().getDescription();
    }
    throw new AssertionError("the gRPC call succeeded");
  }

  private static String error(HttpResponse<String> answer) {
    return JsonParser.parseString(answer.body()).getAsJsonObject().get("error").getAsString();
  }

  private static URI uri(String path) {
    return URI.create(base + path);
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> answer) {
    assertEquals(200, answer.statusCode(), answer.body());
    return JsonParser.parseString(answer.body()).getAsJsonObject();
  }

  /** Writes {@code requests} on a new connection and reads until the server closes it. */
  private static String exchange(String requests) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gantry.server.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(requests.getBytes(StandardCharsets.UTF_8));
      return readAll(socket.getInputStream());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
