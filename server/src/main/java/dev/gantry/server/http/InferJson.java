package dev.gantry.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import dev.gantry.proto.InferParameter;
import dev.gantry.proto.InferTensorContents;
import dev.gantry.proto.ModelInferRequest;
import dev.gantry.proto.ModelInferResponse;
import dev.gantry.server.error.InvalidArgumentException;
import io.netty.buffer.ByteBuf;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The inference body of the HTTP API as the gRPC request it stands for, and the gRPC response as
 * the body that answers it: the JSON of the KServe v2 REST spec, with Triton's binary tensor data
 * extension. Only the translation lives here; every rule about what a request may hold is the
 * gRPC path's, applied after it.
 *
 * <p>JSON {@code data} becomes the typed contents of the gRPC request, binary data its {@code
 * raw_input_contents}; since a gRPC request carries one or the other, a request that mixes them
 * is refused here.
 */
final class InferJson {
  static final String BINARY_DATA_SIZE = "binary_data_size";
  private static final String SHARED_MEMORY_REGION = "shared_memory_region";
  static final String BINARY_DATA = "binary_data";
  static final String BINARY_DATA_OUTPUT = "binary_data_output";

  private InferJson() {}

  /**
   * The gRPC request for this body.
   *
   * @param header the JSON part
   * @param binary the bytes after the JSON, holding the inputs that give {@code binary_data_size}
   */
  static ModelInferRequest request(
      JsonObject header, ByteBuf binary, String model, String version) {
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder()
        .setModelName(model)
        .setModelVersion(version);
    if (header.has("id")) {
      request.setId(string(header.get("id"), "id"));
    }
    boolean allBinaryOutputs = false;
    if (header.has("parameters")) {
      for (Map.Entry<String, JsonElement> parameter
          : object(header.get("parameters"), "parameters").entrySet()) {
        if (parameter.getKey().equals(BINARY_DATA_OUTPUT)) {
          allBinaryOutputs = bool(parameter.getValue(), "parameters." + BINARY_DATA_OUTPUT);
        } else {
          request.putParameters(parameter.getKey(),
              parameter(parameter.getValue(), "parameters." + parameter.getKey()));
        }
      }
    }
    JsonArray inputs = array(header.get("inputs"), "inputs");
    int offset = 0;
    String firstJson = null;
    String firstBinary = null;
    for (int i = 0; i < inputs.size(); i++) {
      String field = "inputs[" + i + "]";
      JsonObject json = object(inputs.get(i), field);
      ModelInferRequest.InferInputTensor.Builder input =
          ModelInferRequest.InferInputTensor.newBuilder()
              .setName(string(json.get("name"), field + ".name"))
              .setDatatype(string(json.get("datatype"), field + ".datatype"));
      for (JsonElement dim : array(json.get("shape"), field + ".shape")) {
        input.addShape(integer(dim, field + ".shape").longValueExact());
      }
      Long binarySize = null;
      if (json.has("parameters")) {
        for (Map.Entry<String, JsonElement> parameter
            : object(json.get("parameters"), field + ".parameters").entrySet()) {
          String name = field + ".parameters." + parameter.getKey();
          if (parameter.getKey().equals(BINARY_DATA_SIZE)) {
            binarySize = integer(parameter.getValue(), name).longValue();
            if (binarySize < 0) {
              throw new InvalidArgumentException(name + " is " + binarySize
                  + ": expected the input's byte count, 0 or more");
            }
          } else {
            input.putParameters(parameter.getKey(), parameter(parameter.getValue(), name));
          }
        }
      }
      if (binarySize != null) {
        if (json.has("data")) {
          throw new InvalidArgumentException(field + " '" + input.getName()
              + "' has both data and parameters." + BINARY_DATA_SIZE + ": give one of them");
        }
        if (binarySize > binary.readableBytes() - offset) {
          throw new InvalidArgumentException(field + ".parameters." + BINARY_DATA_SIZE + " is "
              + binarySize + " but only " + (binary.readableBytes() - offset)
              + " bytes of binary data are left after the JSON header");
        }
        request.addRawInputContents(
            ByteString.copyFrom(binary.nioBuffer(binary.readerIndex() + offset, binarySize.intValue())));
        offset += binarySize.intValue();
        firstBinary = firstBinary == null ? field : firstBinary;
      } else if (json.has("data")) {
        input.setContents(contents(json.get("data"), input.getDatatype(), field + ".data"));
        firstJson = firstJson == null ? field : firstJson;
      }
      request.addInputs(input);
    }
    if (firstJson != null && firstBinary != null) {
      throw new InvalidArgumentException(firstJson + " has JSON data but " + firstBinary
          + " has binary data: send every input of a request the same way");
    }
    if (offset != binary.readableBytes()) {
      throw new InvalidArgumentException("the body has " + binary.readableBytes()
          + " bytes after the JSON header but the inputs' " + BINARY_DATA_SIZE + " add up to "
          + offset);
    }
    if (header.has("outputs")) {
      JsonArray outputs = array(header.get("outputs"), "outputs");
      for (int i = 0; i < outputs.size(); i++) {
        String field = "outputs[" + i + "]";
        JsonObject json = object(outputs.get(i), field);
        ModelInferRequest.InferRequestedOutputTensor.Builder output =
            ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                .setName(string(json.get("name"), field + ".name"));
        if (json.has("parameters")) {
          for (Map.Entry<String, JsonElement> parameter
              : object(json.get("parameters"), field + ".parameters").entrySet()) {
            String name = field + ".parameters." + parameter.getKey();
            if (parameter.getKey().equals(BINARY_DATA)) {
              bool(parameter.getValue(), name);
            } else {
              output.putParameters(parameter.getKey(), parameter(parameter.getValue(), name));
            }
          }
        }
        request.addOutputs(output);
      }
    }
    return request.build();
  }

  /** Whether the caller asked for this output as binary data. */
  static boolean wantsBinary(JsonObject header, String output) {
    JsonElement all = header.has("parameters")
        ? header.getAsJsonObject("parameters").get(BINARY_DATA_OUTPUT) : null;
    if (header.has("outputs")) {
      for (JsonElement requested : header.getAsJsonArray("outputs")) {
        JsonObject json = requested.getAsJsonObject();
        if (json.get("name").getAsString().equals(output) && json.has("parameters")
            && json.getAsJsonObject("parameters").has(BINARY_DATA)) {
          return json.getAsJsonObject("parameters").get(BINARY_DATA).getAsBoolean();
        }
      }
    }
    return all != null && all.getAsBoolean();
  }

  /** The body answering a request whose header was this. */
  static HttpBody response(ModelInferResponse response, JsonObject requestHeader) {
    JsonObject json = new JsonObject();
    json.addProperty("model_name", response.getModelName());
    json.addProperty("model_version", response.getModelVersion());
    if (!response.getId().isEmpty()) {
      json.addProperty("id", response.getId());
    }
    if (response.getParametersCount() > 0) {
      json.add("parameters", parameters(response.getParametersMap()));
    }
    JsonArray outputs = new JsonArray();
    HttpBody body = new HttpBody();
    for (int i = 0; i < response.getOutputsCount(); i++) {
      ModelInferResponse.InferOutputTensor tensor = response.getOutputs(i);
      JsonObject output = new JsonObject();
      output.addProperty("name", tensor.getName());
      output.addProperty("datatype", tensor.getDatatype());
      JsonArray shape = new JsonArray();
      tensor.getShapeList().forEach(shape::add);
      output.add("shape", shape);
      JsonObject parameters = parameters(tensor.getParametersMap());
      ByteString raw = response.getRawOutputContents(i);
      // An output written to shared memory has neither data nor binary data: its parameters say
      // where its bytes are.
      if (!tensor.containsParameters(SHARED_MEMORY_REGION)) {
        if (wantsBinary(requestHeader, tensor.getName())) {
          parameters.addProperty(BINARY_DATA_SIZE, raw.size());
          body.addBinary(raw.asReadOnlyByteBuffer());
        } else {
          output.add("data", data(raw, tensor.getDatatype()));
        }
      }
      if (parameters.size() > 0) {
        output.add("parameters", parameters);
      }
      outputs.add(output);
    }
    json.add("outputs", outputs);
    body.setHeader(json);
    return body;
  }

  private static JsonObject parameters(Map<String, InferParameter> parameters) {
    JsonObject json = new JsonObject();
    parameters.forEach((name, value) -> json.add(name, ProtoJson.value(value)));
    return json;
  }

  private static InferTensorContents contents(JsonElement data, String datatype, String field) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    JsonArray flat = new JsonArray();
    flatten(data, flat);
    for (int i = 0; i < flat.size(); i++) {
      JsonElement value = flat.get(i);
      String element = field + "[" + i + "]";
      switch (datatype) {
        case "BOOL" -> contents.addBoolContents(bool(value, element));
        case "INT8" -> contents.addIntContents((int) ranged(value, element, datatype, -128, 127));
        case "INT16" -> contents.addIntContents(
            (int) ranged(value, element, datatype, Short.MIN_VALUE, Short.MAX_VALUE));
        case "INT32" -> contents.addIntContents(
            (int) ranged(value, element, datatype, Integer.MIN_VALUE, Integer.MAX_VALUE));
        case "INT64" -> contents.addInt64Contents(
            ranged(value, element, datatype, Long.MIN_VALUE, Long.MAX_VALUE));
        case "UINT8" -> contents.addUintContents((int) ranged(value, element, datatype, 0, 255));
        case "UINT16" -> contents.addUintContents((int) ranged(value, element, datatype, 0, 65535));
        case "UINT32" -> contents.addUintContents(
            (int) ranged(value, element, datatype, 0, 0xffff_ffffL));
        case "UINT64" -> contents.addUint64Contents(unsigned64(value, element));
        case "FP32" -> contents.addFp32Contents((float) number(value, element, datatype));
        case "FP64" -> contents.addFp64Contents(number(value, element, datatype));
        case "BYTES" -> contents.addBytesContents(
            ByteString.copyFromUtf8(string(value, element)));
        case "FP16", "BF16" -> throw new InvalidArgumentException(field + ": " + datatype
            + " data cannot travel as JSON; send it as binary data with parameters."
            + BINARY_DATA_SIZE);
        default -> {
          return contents.build();
        }
      }
    }
    return contents.build();
  }

  private static void flatten(JsonElement data, JsonArray flat) {
    if (data.isJsonArray()) {
      for (JsonElement element : data.getAsJsonArray()) {
        flatten(element, flat);
      }
    } else {
      flat.add(data);
    }
  }

  private static JsonArray data(ByteString raw, String datatype) {
    ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    JsonArray data = new JsonArray();
    while (bytes.hasRemaining()) {
      switch (datatype) {
        case "BOOL" -> data.add(bytes.get() != 0);
        case "INT8" -> data.add(bytes.get());
        case "UINT8" -> data.add(Byte.toUnsignedInt(bytes.get()));
        case "INT16" -> data.add(bytes.getShort());
        case "UINT16" -> data.add(Short.toUnsignedInt(bytes.getShort()));
        case "INT32" -> data.add(bytes.getInt());
        case "UINT32" -> data.add(Integer.toUnsignedLong(bytes.getInt()));
        case "INT64" -> data.add(bytes.getLong());
        case "UINT64" -> data.add(new BigInteger(Long.toUnsignedString(bytes.getLong())));
        case "FP16" -> data.add(HalfFloats.fp16ToFloat(bytes.getShort()));
        case "BF16" -> data.add(Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16));
        case "FP32" -> data.add(bytes.getFloat());
        case "FP64" -> data.add(bytes.getDouble());
        case "BYTES" -> {
          byte[] element = new byte[bytes.getInt()];
          bytes.get(element);
          data.add(new String(element, StandardCharsets.UTF_8));
        }
        default -> throw new IllegalStateException("the server answered datatype " + datatype);
      }
    }
    return data;
  }

  private static InferParameter parameter(JsonElement value, String field) {
    if (value.isJsonPrimitive()) {
      JsonPrimitive primitive = value.getAsJsonPrimitive();
      if (primitive.isBoolean()) {
        return InferParameter.newBuilder().setBoolParam(primitive.getAsBoolean()).build();
      }
      if (primitive.isString()) {
        return InferParameter.newBuilder().setStringParam(primitive.getAsString()).build();
      }
      BigDecimal number = primitive.getAsBigDecimal();
      if (isInteger(number) && number.toBigIntegerExact().bitLength() < 64) {
        return InferParameter.newBuilder().setInt64Param(number.longValueExact()).build();
      }
      if (isInteger(number) && number.signum() > 0 && number.toBigIntegerExact().bitLength() == 64) {
        return InferParameter.newBuilder()
            .setUint64Param(number.toBigIntegerExact().longValue()).build();
      }
      return InferParameter.newBuilder().setDoubleParam(primitive.getAsDouble()).build();
    }
    throw new InvalidArgumentException(
        field + ": expected a boolean, a number or a string, got " + describe(value));
  }

  static JsonObject object(JsonElement value, String field) {
    if (value == null || !value.isJsonObject()) {
      throw new InvalidArgumentException(field + ": expected a JSON object, got " + describe(value));
    }
    return value.getAsJsonObject();
  }

  static JsonArray array(JsonElement value, String field) {
    if (value == null || !value.isJsonArray()) {
      throw new InvalidArgumentException(field + ": expected a JSON array, got " + describe(value));
    }
    return value.getAsJsonArray();
  }

  static String string(JsonElement value, String field) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
      throw new InvalidArgumentException(field + ": expected a string, got " + describe(value));
    }
    return value.getAsString();
  }

  static boolean bool(JsonElement value, String field) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
      throw new InvalidArgumentException(field + ": expected true or false, got " + describe(value));
    }
    return value.getAsBoolean();
  }

  private static double number(JsonElement value, String field, String datatype) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new InvalidArgumentException(
          field + ": expected a number for " + datatype + ", got " + describe(value));
    }
    return value.getAsDouble();
  }

  private static BigInteger integer(JsonElement value, String field) {
    if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      BigDecimal number = value.getAsBigDecimal();
      if (isInteger(number) && number.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
        return number.toBigIntegerExact();
      }
    }
    throw new InvalidArgumentException(field + ": expected an integer, got " + describe(value));
  }

  private static long ranged(JsonElement value, String field, String datatype, long min, long max) {
    BigInteger number = integer(value, field);
    if (number.compareTo(BigInteger.valueOf(min)) < 0
        || number.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new InvalidArgumentException(field + ": " + number + " is out of range for "
          + datatype + ", expected " + min + " to " + max);
    }
    return number.longValue();
  }

  private static long unsigned64(JsonElement value, String field) {
    if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      BigDecimal number = value.getAsBigDecimal();
      if (isInteger(number) && number.signum() >= 0 && number.toBigIntegerExact().bitLength() <= 64) {
        return number.toBigIntegerExact().longValue();
      }
    }
    throw new InvalidArgumentException(
        field + ": expected an integer from 0 to 18446744073709551615 for UINT64, got "
            + describe(value));
  }

  private static boolean isInteger(BigDecimal number) {
    return number.signum() == 0 || number.stripTrailingZeros().scale() <= 0;
  }

  private static String describe(JsonElement value) {
    if (value == null) {
      return "nothing";
    }
    String text = value.toString();
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
