package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.gantry.client.TensorDatatype;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The bodies of {@code -i http}: requests as built, responses as taken apart. */
class HttpIssuerTest {
  private static final URI INFER = URI.create("http://localhost:8000/v2/models/m/infer");

  @Test
  void theBodyIsTheJsonHeaderThenEachInputsRawBytesInOrder() {
    RequestData data = twoInputs();

    HttpRequest request = HttpIssuer.request(INFER, "7", data, Duration.ofSeconds(3));
    byte[] header = HttpIssuer.header("7", data);
    byte[] body = HttpIssuer.body(header, data);

    assertEquals("POST", request.method());
    assertEquals(INFER, request.uri());
    assertEquals(Duration.ofSeconds(3), request.timeout().orElseThrow());
    assertEquals(String.valueOf(header.length),
        request.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    assertEquals("application/octet-stream",
        request.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(body.length, request.bodyPublisher().orElseThrow().contentLength());
    assertEquals(header.length + 16 + 11, body.length);

    int jsonLength = Integer.parseInt(
        request.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    JsonObject json = JsonParser.parseString(
        new String(body, 0, jsonLength, StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals("7", json.get("id").getAsString());
    assertTrue(json.getAsJsonObject("parameters").get("binary_data_output").getAsBoolean());
    assertFalse(json.has("outputs"), "every output, as over gRPC");
    JsonArray inputs = json.getAsJsonArray("inputs");
    assertEquals(2, inputs.size());
    assertInput(inputs.get(0).getAsJsonObject(), "x", "FP32", "[1,4]", 16);
    assertInput(inputs.get(1).getAsJsonObject(), "s", "BYTES", "[1,1]", 11);

    ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (float expected : new float[] {1.5f, -2, 0, 42}) {
      assertEquals(expected, binary.getFloat());
    }
    assertEquals(7, binary.getInt());
    byte[] string = new byte[7];
    binary.get(string);
    assertEquals("gantry!", new String(string, StandardCharsets.US_ASCII));
    assertFalse(binary.hasRemaining());
  }

  @Test
  void oneRequestPerDataEntryWithItsIndexAsId() {
    List<HttpRequest> requests =
        HttpIssuer.build(INFER, List.of(twoInputs(), twoInputs()), Duration.ofSeconds(1));

    assertEquals(2, requests.size());
    assertEquals(HttpIssuer.header("1", twoInputs()).length, Integer.parseInt(
        requests.get(1).headers().firstValue(HttpIssuer.HEADER_LENGTH).orElseThrow()));
  }

  @Test
  void aGoodResponseYieldsEachOutputsBytes() {
    byte[] body = response("{\"id\":\"0\",\"model_name\":\"m\",\"outputs\":["
        + "{\"name\":\"y\",\"datatype\":\"INT32\",\"shape\":[1,2],"
        + "\"parameters\":{\"binary_data_size\":8}},"
        + "{\"name\":\"z\",\"datatype\":\"FP64\",\"shape\":[1],"
        + "\"parameters\":{\"binary_data_size\":8}}]}",
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(3).putInt(-4).putDouble(0.25));

    List<HttpIssuer.Output> outputs = HttpIssuer.read(200, lengthHeader(body, 16), body);

    assertEquals(2, outputs.size());
    HttpIssuer.Output y = outputs.get(0);
    assertEquals("y", y.name());
    assertEquals(TensorDatatype.INT32, y.datatype());
    assertArrayEquals(new long[] {1, 2}, y.shape());
    assertEquals(3, y.data().getInt(0));
    assertEquals(-4, y.data().getInt(4));
    assertEquals(8, y.data().remaining());
    HttpIssuer.Output z = outputs.get(1);
    assertEquals(TensorDatatype.FP64, z.datatype());
    assertEquals(0.25, z.data().getDouble(0));
  }

  @Test
  void aBodyOfAnotherLengthThanDeclaredIsAnError() {
    String json = "{\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[2],"
        + "\"parameters\":{\"binary_data_size\":8}}]}";
    byte[] shorter = response(json, ByteBuffer.allocate(7));
    byte[] longer = response(json, ByteBuffer.allocate(9));

    HttpErrorException missing = assertThrows(HttpErrorException.class,
        () -> HttpIssuer.read(200, lengthHeader(shorter, 7), shorter));
    HttpErrorException extra = assertThrows(HttpErrorException.class,
        () -> HttpIssuer.read(200, lengthHeader(longer, 9), longer));

    assertEquals("HTTP_MALFORMED_RESPONSE", ErrorCodes.of(missing));
    assertTrue(missing.getMessage().contains("has " + shorter.length + " bytes, not the "
        + (shorter.length + 1)), missing.getMessage());
    assertEquals("HTTP_MALFORMED_RESPONSE", ErrorCodes.of(extra));
  }

  @Test
  void aMissingOrImpossibleJsonLengthIsAnError() {
    String json = "{\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[1],"
        + "\"parameters\":{\"binary_data_size\":4}}]}";
    byte[] body = response(json, ByteBuffer.allocate(4));

    assertEquals(HttpErrorException.MALFORMED, ErrorCodes.of(assertThrows(
        HttpErrorException.class, () -> HttpIssuer.read(200, headers(Map.of()), body))));
    assertEquals(HttpErrorException.MALFORMED, ErrorCodes.of(assertThrows(
        HttpErrorException.class, () -> HttpIssuer.read(200, headers(Map.of(
            HttpIssuer.HEADER_LENGTH, String.valueOf(body.length + 1))), body))));
    assertEquals(HttpErrorException.MALFORMED, ErrorCodes.of(assertThrows(
        HttpErrorException.class, () -> HttpIssuer.read(200, headers(Map.of(
            HttpIssuer.HEADER_LENGTH, "ten")), body))));
    assertEquals(HttpErrorException.MALFORMED, ErrorCodes.of(assertThrows(
        HttpErrorException.class, () -> HttpIssuer.read(200, headers(Map.of(
            HttpIssuer.HEADER_LENGTH, "3")), body))), "not JSON");
  }

  @Test
  void aResponseWhoseHeaderLacksWhatItNeedsIsAnError() {
    String noSize = "{\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[1]}]}";
    byte[] body = noSize.getBytes(StandardCharsets.UTF_8);

    HttpErrorException error = assertThrows(HttpErrorException.class,
        () -> HttpIssuer.read(200, lengthHeader(body, 0), body));

    assertEquals(HttpErrorException.MALFORMED, ErrorCodes.of(error));
    assertTrue(error.getMessage().contains("output 'y' has no \"parameters\""), error.getMessage());
  }

  @Test
  void anErrorAnswerCountsByItsStatusWithTheServersMessage() {
    byte[] body = "{\"error\":\"unexpected inference input 'q'\"}".getBytes(StandardCharsets.UTF_8);

    HttpErrorException badRequest = assertThrows(HttpErrorException.class,
        () -> HttpIssuer.read(400, headers(Map.of()), body));
    HttpErrorException unavailable = assertThrows(HttpErrorException.class,
        () -> HttpIssuer.read(503, headers(Map.of()), "not json".getBytes(StandardCharsets.UTF_8)));

    assertEquals("HTTP_400", ErrorCodes.of(badRequest));
    assertEquals("HTTP 400: unexpected inference input 'q'", badRequest.getMessage());
    assertEquals("HTTP_503", ErrorCodes.of(new CompletionException(unavailable)));
    assertEquals("HTTP 503: not json", unavailable.getMessage());
  }

  @Test
  void theInferEndpointNamesTheModelAndItsVersion() {
    HttpEndpoint endpoint = HttpEndpoint.open("127.0.0.1:8000");
    try {
      assertEquals("http://127.0.0.1:8000", endpoint.target());
      assertEquals(URI.create("http://127.0.0.1:8000/v2/models/simple/infer"),
          endpoint.inferUri("simple", ""));
      assertEquals(URI.create("http://127.0.0.1:8000/v2/models/a%20b/versions/2/infer"),
          endpoint.inferUri("a b", "2"));
      assertEquals(HttpClient.Version.HTTP_1_1, endpoint.client().version());
    } finally {
      endpoint.close();
    }
  }

  /** {@code x}: FP32 [1,4]; {@code s}: BYTES [1,1], one 7-byte string. */
  private static RequestData twoInputs() {
    ByteBuffer floats = RawEncoding.allocate(16);
    for (float value : new float[] {1.5f, -2, 0, 42}) {
      floats.putFloat(value);
    }
    return new RequestData(List.of(
        new TensorData("x", TensorDatatype.FP32, new long[] {1, 4}, floats.flip()),
        new TensorData("s", TensorDatatype.BYTES, new long[] {1, 1},
            RawEncoding.strings(List.of("gantry!".getBytes(StandardCharsets.US_ASCII))))));
  }

  private static void assertInput(
      JsonObject input, String name, String datatype, String shape, long size) {
    assertEquals(name, input.get("name").getAsString());
    assertEquals(datatype, input.get("datatype").getAsString());
    assertEquals(shape, input.get("shape").toString());
    assertEquals(size, input.getAsJsonObject("parameters").get("binary_data_size").getAsLong());
  }

  /** A JSON header followed by the bytes of {@code binary} (all of its capacity). */
  private static byte[] response(String json, ByteBuffer binary) {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(header, header.length + binary.capacity());
    System.arraycopy(binary.array(), 0, body, header.length, binary.capacity());
    return body;
  }

  /** The length header of a body whose last {@code binaryBytes} follow the JSON. */
  private static HttpHeaders lengthHeader(byte[] body, int binaryBytes) {
    return headers(Map.of(HttpIssuer.HEADER_LENGTH, String.valueOf(body.length - binaryBytes)));
  }

  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> lists = new HashMap<>();
    values.forEach((name, value) -> lists.put(name, List.of(value)));
    return HttpHeaders.of(lists, (name, value) -> true);
  }
}
