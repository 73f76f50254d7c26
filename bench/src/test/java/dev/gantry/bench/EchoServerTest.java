package dev.gantry.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.gantry.client.InferInput;
import dev.gantry.client.InferRequest;
import dev.gantry.client.InferResult;
import dev.gantry.client.InferenceClient;
import dev.gantry.client.InferenceClientException;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks' floor answers the load generator as a server of the identity and tiny models. */
class EchoServerTest {
  @TempDir Path dir;

  @Test
  void theLoadGeneratorMeasuresTheEchoOfAnIdentityModelsRequests() throws Exception {
    EchoServer echo = EchoServer.start(0);
    try {
      Path json = dir.resolve("echo.json");
      Bench.Result result = Bench.quick("-u", "127.0.0.1:" + echo.port(), "-m",
          BenchModels.identity(64), "--mode", "async", "--input-data", "zero",
          "--concurrency-range", "4", "--json", json.toString());

      assertEquals(0, result.exit(), result.err());
      JsonObject level = Bench.json(json).getAsJsonArray("levels").get(0).getAsJsonObject();
      assertTrue(level.get("successes").getAsLong() > 0, level.toString());
      assertEquals(0, level.getAsJsonObject("errors").size(), level.toString());
      assertEquals(64 * 1024, level.get("payload_bytes").getAsLong());
    } finally {
      echo.stop();
    }
  }

  @Test
  void theTensorsComeBackAsTheyWentAndOtherModelsAreNotFound() throws Exception {
    EchoServer echo = EchoServer.start(0);
    try (InferenceClient client =
        InferenceClient.builder().target("127.0.0.1:" + echo.port()).build()) {
      float[] values = new float[(int) BenchModels.identityFloats(64)];
      for (int i = 0; i < values.length; i++) {
        values[i] = i;
      }
      InferResult result = client.infer(InferRequest.builder(BenchModels.identity(64))
          .input(InferInput.fp32(BenchModels.IDENTITY_INPUT, values, 1, values.length))
          .build());
      assertArrayEquals(values, result.output(BenchModels.IDENTITY_OUTPUT).asFloats());

      float[] first = new float[BenchModels.TINY_WIDTH];
      float[] second = new float[BenchModels.TINY_WIDTH];
      for (int i = 0; i < first.length; i++) {
        first[i] = i;
        second[i] = -i;
      }
      InferResult tiny = client.infer(InferRequest.builder(BenchModels.TINY)
          .input(InferInput.fp32(BenchModels.TINY_INPUTS[0], first, 1, first.length))
          .input(InferInput.fp32(BenchModels.TINY_INPUTS[1], second, 1, second.length))
          .build());
      assertArrayEquals(first, tiny.output(BenchModels.TINY_OUTPUTS[0]).asFloats());
      assertArrayEquals(second, tiny.output(BenchModels.TINY_OUTPUTS[1]).asFloats());

      InferenceClientException unknown =
          assertThrows(InferenceClientException.class, () -> client.modelMetadata("slow"));
      assertEquals(Status.Code.NOT_FOUND, unknown.code());
    } finally {
      echo.stop();
    }
  }
}
