package dev.gantry.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.gantry.client.TensorDatatype;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Issues inferences as HTTP/1.1 POSTs to the KServe v2 REST endpoint ({@code -i http}), with
 * Triton's binary tensor data extension so that tensors travel as raw bytes, as over gRPC, rather
 * than as JSON numbers: the body is a JSON header of {@code Inference-Header-Content-Length} bytes
 * followed by each input's raw bytes, and every output is asked for in binary. Like
 * {@link UnaryIssuer}, it sends with {@link HttpClient#sendAsync}: the sync mode waits on each
 * future, the async mode keeps several in flight. The time spent inside {@code sendAsync} is the
 * client's send time; taking the response apart (its JSON header, and the check that the binary
 * data after it has the sizes the header gives) is the client's receive time.
 */
final class HttpIssuer implements RequestIssuer {
  /** The header giving the length of the JSON that starts a body, in requests and responses. */
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private static final HttpResponse.BodyHandler<byte[]> BODY =
      HttpResponse.BodyHandlers.ofByteArray();

  private final HttpClient client;
  private final List<HttpRequest> requests;

  HttpIssuer(HttpClient client, List<HttpRequest> requests) {
    this.client = client;
    this.requests = List.copyOf(requests);
  }

  /**
   * One request per data entry, its body built once before measuring: the data are fixed for the
   * run, and a byte array body can be sent any number of times.
   *
   * @param uri the model's infer endpoint
   * @param timeout each request's deadline, until its response headers arrive
   */
  static List<HttpRequest> build(URI uri, List<RequestData> data, Duration timeout) {
    List<HttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      requests.add(request(uri, String.valueOf(i), data.get(i), timeout));
    }
    return requests;
  }

  /** The POST of one data entry, its {@code id} the entry's index. */
  static HttpRequest request(URI uri, String id, RequestData data, Duration timeout) {
    byte[] header = header(id, data);
    return HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header(HEADER_LENGTH, String.valueOf(header.length))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body(header, data)))
        .build();
  }

  /**
   * The JSON header of a request, UTF-8: each input with its shape, datatype and
   * {@code binary_data_size}, and {@code binary_data_output} so that every output comes back raw.
   */
  static byte[] header(String id, RequestData data) {
    JsonArray inputs = new JsonArray();
    for (TensorData tensor : data.inputs()) {
      JsonArray shape = new JsonArray();
      for (long dim : tensor.shape()) {
        shape.add(dim);
      }
      JsonObject parameters = new JsonObject();
      parameters.addProperty("binary_data_size", tensor.byteSize());
      JsonObject input = new JsonObject();
      input.addProperty("name", tensor.name());
      input.add("shape", shape);
      input.addProperty("datatype", tensor.datatype().wireName());
      input.add("parameters", parameters);
      inputs.add(input);
    }
    JsonObject parameters = new JsonObject();
    parameters.addProperty("binary_data_output", true);
    JsonObject request = new JsonObject();
    request.addProperty("id", id);
    request.add("inputs", inputs);
    request.add("parameters", parameters);
    return request.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The whole body: the JSON header, then each input's raw bytes in the header's order. */
  static byte[] body(byte[] header, RequestData data) {
    long size = header.length + data.payloadBytes();
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a request of " + size + " bytes is too large for HTTP");
    }
    ByteBuffer body = ByteBuffer.allocate((int) size).put(header);
    for (TensorData tensor : data.inputs()) {
      body.put(tensor.data());
    }
    return body.array();
  }

  @Override
  public CompletableFuture<ClientTime> issue(long sequence) {
    HttpRequest request = requests.get((int) Math.floorMod(sequence, (long) requests.size()));
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> response;
    try {
      response = client.sendAsync(request, BODY);
    } catch (RuntimeException e) {
      return RequestIssuer.failed(e);
    }
    long send = System.nanoTime() - start;
    return response.thenApply(answer -> {
      long received = System.nanoTime();
      read(answer.statusCode(), answer.headers(), answer.body());
      return new ClientTime(send, System.nanoTime() - received);
    });
  }

  /**
   * Takes a response apart as an application would: the outputs as little-endian views of the
   * binary data after the JSON header.
   *
   * @throws HttpErrorException when the status is not 200 (with the message of the server's
   *     {@code {"error": ...}} body), or when the body is not its JSON header followed by exactly
   *     the outputs' {@code binary_data_size} bytes
   */
  static List<Output> read(int status, HttpHeaders headers, byte[] body) {
    if (status != 200) {
      throw HttpErrorException.status(status, errorMessage(body));
    }
    int jsonLength = jsonLength(headers.firstValue(HEADER_LENGTH), body.length);
    List<Declared> declared = declared(new String(body, 0, jsonLength, StandardCharsets.UTF_8));
    long expected = jsonLength;
    for (Declared output : declared) {
      expected += output.size();
    }
    if (expected != body.length) {
      throw HttpErrorException.malformed("the body has " + body.length + " bytes, not the "
          + expected + " of its JSON header (" + jsonLength + ") and its outputs' "
          + "binary_data_size");
    }
    List<Output> outputs = new ArrayList<>();
    int offset = jsonLength;
    for (Declared output : declared) {
      outputs.add(new Output(output.name(), output.datatype(), output.shape(),
          ByteBuffer.wrap(body, offset, output.size()).slice().order(ByteOrder.LITTLE_ENDIAN)));
      offset += output.size();
    }
    return outputs;
  }

  /** The length of the JSON header: all of the body when the header is absent. */
  private static int jsonLength(Optional<String> header, int bodyLength) {
    if (header.isEmpty()) {
      return bodyLength;
    }
    int length;
    try {
      length = Integer.parseInt(header.get().trim());
    } catch (NumberFormatException e) {
      length = -1;
    }
    if (length < 0 || length > bodyLength) {
      throw HttpErrorException.malformed(HEADER_LENGTH + " is '" + header.get()
          + "' for a body of " + bodyLength + " bytes");
    }
    return length;
  }

  /** The outputs a response's JSON header declares, in order. */
  private static List<Declared> declared(String header) {
    List<Declared> outputs = new ArrayList<>();
    try {
      JsonObject json = JsonParser.parseString(header).getAsJsonObject();
      for (JsonElement element : field(json, "outputs", "the response").getAsJsonArray()) {
        JsonObject output = element.getAsJsonObject();
        String name = field(output, "name", "an output").getAsString();
        String where = "output '" + name + "'";
        JsonArray dims = field(output, "shape", where).getAsJsonArray();
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = dims.get(i).getAsLong();
        }
        TensorDatatype datatype =
            TensorDatatype.fromWireName(field(output, "datatype", where).getAsString());
        long size = field(field(output, "parameters", where).getAsJsonObject(),
            "binary_data_size", where + "'s parameters").getAsLong();
        if (size < 0 || size > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(where + " has binary_data_size " + size);
        }
        outputs.add(new Declared(name, datatype, shape, (int) size));
      }
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException
        | IllegalArgumentException e) {
      throw HttpErrorException.malformed(
          "its JSON header is not an inference response: " + e.getMessage());
    }
    return outputs;
  }

  /**
   * The member {@code name} of a JSON object; an {@link IllegalStateException}, reported as a
   * malformed response, when it is missing.
   */
  private static JsonElement field(JsonObject object, String name, String where) {
    JsonElement value = object.get(name);
    if (value == null || value.isJsonNull()) {
      throw new IllegalStateException(where + " has no \"" + name + "\"");
    }
    return value;
  }

  /** The {@code error} of a failure's JSON body; the body itself when it is not that. */
  private static String errorMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      JsonElement json = JsonParser.parseString(text);
      if (json.isJsonObject() && json.getAsJsonObject().has("error")) {
        return json.getAsJsonObject().get("error").getAsString();
      }
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      // not the protocol's error object: quote the body
    }
    if (text.isBlank()) {
      return "(no message)";
    }
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /**
   * One output of a response.
   *
   * @param data its raw bytes, a little-endian view into the response body
   */
  record Output(String name, TensorDatatype datatype, long[] shape, ByteBuffer data) {}

  /** An output as the JSON header declares it, before its bytes are found. */
  private record Declared(String name, TensorDatatype datatype, long[] shape, int size) {}
}
