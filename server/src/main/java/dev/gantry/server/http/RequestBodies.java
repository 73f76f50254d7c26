package dev.gantry.server.http;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import dev.gantry.proto.LogSettingsRequest;
import dev.gantry.proto.ModelRepositoryParameter;
import dev.gantry.server.error.InvalidArgumentException;
import io.netty.handler.codec.http.FullHttpRequest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the JSON bodies of the control endpoints (repository index, load and unload, logging)
 * into the fields of the gRPC requests they become, refusing what those cannot carry.
 */
final class RequestBodies {
  private RequestBodies() {}

  /** One setting of a POST to /v2/logging: a boolean, an unsigned 32-bit integer or a string. */
  static LogSettingsRequest.SettingValue logSetting(String name, JsonElement value) {
    LogSettingsRequest.SettingValue.Builder setting = LogSettingsRequest.SettingValue.newBuilder();
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()) {
      return setting.setBoolParam(value.getAsBoolean()).build();
    }
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
      return setting.setStringParam(value.getAsString()).build();
    }
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      BigDecimal number = value.getAsBigDecimal();
      if (number.signum() >= 0 && number.compareTo(BigDecimal.valueOf(0xffff_ffffL)) <= 0
          && number.stripTrailingZeros().scale() <= 0) {
        return setting.setUint32Param(number.intValue()).build();
      }
    }
    throw new InvalidArgumentException(
        name + ": expected true or false, an unsigned integer or a string, got " + value);
  }

  /**
   * The {@code parameters} of a load or unload body: {@code file:} entries as base64 bytes, then
   * booleans, integers and strings as the JSON has them.
   */
  static Map<String, ModelRepositoryParameter> repositoryParameters(JsonObject body) {
    Map<String, ModelRepositoryParameter> parameters = new LinkedHashMap<>();
    if (!body.has("parameters")) {
      return parameters;
    }
    for (Map.Entry<String, JsonElement> entry
        : InferJson.object(body.get("parameters"), "parameters").entrySet()) {
      String field = "parameters." + entry.getKey();
      ModelRepositoryParameter.Builder parameter = ModelRepositoryParameter.newBuilder();
      JsonElement value = entry.getValue();
      if (entry.getKey().startsWith("file:")) {
        try {
          parameter.setBytesParam(ByteString.copyFrom(
              Base64.getDecoder().decode(InferJson.string(value, field))));
        } catch (IllegalArgumentException e) {
          throw new InvalidArgumentException(field + ": expected the file's bytes in base64");
        }
      } else if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()) {
        parameter.setBoolParam(value.getAsBoolean());
      } else if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
        try {
          parameter.setInt64Param(value.getAsBigDecimal().longValueExact());
        } catch (ArithmeticException e) {
          throw new InvalidArgumentException(field + ": expected an integer, got " + value);
        }
      } else {
        parameter.setStringParam(InferJson.string(value, field));
      }
      parameters.put(entry.getKey(), parameter.build());
    }
    return parameters;
  }

  /** The body as a JSON object; an empty object when there is no body. */
  static JsonObject optionalObject(FullHttpRequest request) {
    if (request.content().readableBytes() == 0) {
      return new JsonObject();
    }
    return InferJson.object(parse(request.content().toString(StandardCharsets.UTF_8)), "the body");
  }

  /** The JSON of a body, or INVALID_ARGUMENT saying where it is malformed. */
  static JsonElement parse(String json) {
    try {
      return JsonParser.parseString(json);
    } catch (JsonParseException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new InvalidArgumentException("malformed JSON in the body: " + cause.getMessage());
    }
  }
}
