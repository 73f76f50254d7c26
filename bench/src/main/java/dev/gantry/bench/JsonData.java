package dev.gantry.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.gantry.client.TensorDatatype;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads request data from a JSON file ({@code --input-data FILE.json}), so that a benchmark can
 * send real inputs: {@code {"data":[{"INPUT0":[...],"INPUT1":[...]}, ...]}}, one entry per
 * request, sent round-robin.
 *
 * <p>An input's value is an array of elements (nested arrays are flattened row-major) or an object
 * {@code {"content":[...],"shape":[...]}} whose shape overrides the one from the model and
 * {@code --shape} (without the batch dimension when the model batches). Numbers fill numeric
 * inputs, {@code true}/{@code false} (or 0/1) BOOL inputs, strings BYTES inputs (as UTF-8). An
 * entry holds the elements of one batch item, repeated for each item of the batch, or of the whole
 * batch.
 */
final class JsonData {
  private JsonData() {}

  /**
   * The requests of the file.
   *
   * @param shapes the concrete shape of each input, the batch dimension included when the model
   *     batches
   * @throws IllegalArgumentException naming the entry and input when the file does not fit the
   *     model
   * @throws IOException when the file cannot be read
   */
  static List<RequestData> read(Path file, ModelInfo model, Map<String, long[]> shapes)
      throws IOException {
    JsonElement root;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(reader);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!root.isJsonObject() || !root.getAsJsonObject().has("data")
        || !root.getAsJsonObject().get("data").isJsonArray()) {
      throw new IllegalArgumentException(file + " must hold an object with a \"data\" array");
    }
    JsonArray entries = root.getAsJsonObject().getAsJsonArray("data");
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(file + ": \"data\" has no entries");
    }
    List<RequestData> requests = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (!entries.get(i).isJsonObject()) {
        throw new IllegalArgumentException(file + ": data[" + i + "] is not an object");
      }
      requests.add(request(entries.get(i).getAsJsonObject(), model, shapes, "data[" + i + "]"));
    }
    return requests;
  }

  private static RequestData request(
      JsonObject entry, ModelInfo model, Map<String, long[]> shapes, String where) {
    List<TensorData> tensors = new ArrayList<>();
    for (InputSpec input : model.inputs()) {
      String at = where + "." + input.name();
      JsonElement value = entry.get(input.name());
      if (value == null) {
        throw new IllegalArgumentException(where + " has no input '" + input.name() + "'");
      }
      long[] shape = shapes.get(input.name());
      JsonElement content = value;
      if (value.isJsonObject()) {
        content = value.getAsJsonObject().get("content");
        JsonElement explicit = value.getAsJsonObject().get("shape");
        if (content == null) {
          throw new IllegalArgumentException(at + " has no \"content\"");
        }
        if (explicit != null) {
          shape = explicitShape(explicit, model.batches() ? shape[0] : 0, at);
        }
      }
      List<JsonPrimitive> elements = new ArrayList<>();
      flatten(content, elements, at);
      tensors.add(new TensorData(
          input.name(), input.datatype(), shape,
          encode(input.datatype(), fill(elements, shape, model.batches(), at), at)));
    }
    return new RequestData(tensors);
  }

  private static long[] explicitShape(JsonElement shape, long batch, String at) {
    if (!shape.isJsonArray()) {
      throw new IllegalArgumentException(at + ".shape is not an array");
    }
    JsonArray dims = shape.getAsJsonArray();
    int offset = batch > 0 ? 1 : 0;
    long[] result = new long[dims.size() + offset];
    if (offset == 1) {
      result[0] = batch;
    }
    for (int i = 0; i < dims.size(); i++) {
      result[i + offset] = dims.get(i).getAsLong();
    }
    return result;
  }

  private static void flatten(JsonElement value, List<JsonPrimitive> into, String at) {
    if (value.isJsonArray()) {
      for (JsonElement element : value.getAsJsonArray()) {
        flatten(element, into, at);
      }
    } else if (value.isJsonPrimitive()) {
      into.add(value.getAsJsonPrimitive());
    } else {
      throw new IllegalArgumentException(at + " holds " + value + ", not a number, boolean or string");
    }
  }

  /** The elements for the whole batch: given for all of it, or for one item and repeated. */
  private static List<JsonPrimitive> fill(
      List<JsonPrimitive> elements, long[] shape, boolean batches, String at) {
    long total = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    if (elements.size() == total) {
      return elements;
    }
    long batch = batches ? shape[0] : 1;
    if (batch > 1 && elements.size() * batch == total) {
      List<JsonPrimitive> repeated = new ArrayList<>();
      for (long i = 0; i < batch; i++) {
        repeated.addAll(elements);
      }
      return repeated;
    }
    throw new IllegalArgumentException(
        at + " has " + elements.size() + " elements but shape " + ShapeResolver.format(shape)
            + " needs " + total + (batch > 1 ? " (or " + total / batch + " for one batch item)" : ""));
  }

  private static ByteBuffer encode(TensorDatatype type, List<JsonPrimitive> elements, String at) {
    try {
      if (type == TensorDatatype.BYTES) {
        List<byte[]> strings = new ArrayList<>();
        for (JsonPrimitive element : elements) {
          strings.add(element.getAsString().getBytes(StandardCharsets.UTF_8));
        }
        return RawEncoding.strings(strings);
      }
      ByteBuffer data = RawEncoding.allocate((long) elements.size() * type.byteSize());
      for (JsonPrimitive element : elements) {
        if (RawEncoding.isFloating(type)) {
          RawEncoding.putDouble(data, type, element.getAsDouble());
        } else if (element.isBoolean()) {
          RawEncoding.putLong(data, type, element.getAsBoolean() ? 1 : 0);
        } else {
          RawEncoding.putLong(data, type, element.getAsLong());
        }
      }
      return data.flip();
    } catch (NumberFormatException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(at + ": an element is not a " + type + " value: " + e.getMessage(), e);
    }
  }
}
