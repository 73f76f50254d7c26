package dev.gantry.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.gantry.proto.ModelRepositoryParameter;
import dev.gantry.server.error.InvalidArgumentException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON bodies of the control endpoints, read into gRPC request fields. */
class RequestBodiesTest {
  @Test
  void logSettingsAreBooleansUnsignedIntegersOrStrings() {
    assertTrue(RequestBodies.logSetting("log_info", JsonParser.parseString("true")).getBoolParam());
    assertEquals(4_000_000_000L, Integer.toUnsignedLong(RequestBodies.logSetting(
        "log_verbose_level", JsonParser.parseString("4000000000")).getUint32Param()));
    assertEquals("ISO8601", RequestBodies.logSetting("log_format",
        JsonParser.parseString("\"ISO8601\"")).getStringParam());
    InvalidArgumentException negative = assertThrows(InvalidArgumentException.class,
        () -> RequestBodies.logSetting("log_verbose_level", JsonParser.parseString("-1")));
    assertEquals("log_verbose_level: expected true or false, an unsigned integer or a string,"
        + " got -1", negative.getMessage());
  }

  @Test
  void repositoryParametersKeepTheirTypesAndFilesAreBase64() {
    Map<String, ModelRepositoryParameter> parameters = RequestBodies.repositoryParameters(
        JsonParser.parseString("{\"parameters\": {\"config\": \"{}\", \"unload_dependents\": true,"
            + " \"n\": 3, \"file:1/model.onnx\": \"AAEC\"}}").getAsJsonObject());

    assertEquals("{}", parameters.get("config").getStringParam());
    assertTrue(parameters.get("unload_dependents").getBoolParam());
    assertEquals(3, parameters.get("n").getInt64Param());
    assertEquals(3, parameters.get("file:1/model.onnx").getBytesParam().size());
    InvalidArgumentException notBase64 = assertThrows(InvalidArgumentException.class,
        () -> RequestBodies.repositoryParameters(JsonParser.parseString(
            "{\"parameters\": {\"file:1/model.onnx\": \"*\"}}").getAsJsonObject()));
    assertEquals("parameters.file:1/model.onnx: expected the file's bytes in base64",
        notBase64.getMessage());
    InvalidArgumentException fraction = assertThrows(InvalidArgumentException.class,
        () -> RequestBodies.repositoryParameters(JsonParser.parseString(
            "{\"parameters\": {\"n\": 1.5}}").getAsJsonObject()));
    assertEquals("parameters.n: expected an integer, got 1.5", fraction.getMessage());
  }

  @Test
  void malformedJsonSaysWhere() {
    InvalidArgumentException malformed = assertThrows(InvalidArgumentException.class,
        () -> RequestBodies.parse("{\"a\": "));
    assertTrue(malformed.getMessage().startsWith("malformed JSON in the body: "),
        malformed.getMessage());
  }
}
