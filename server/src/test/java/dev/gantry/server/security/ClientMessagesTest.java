package dev.gantry.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What of an error message may reach a client. */
class ClientMessagesTest {
  @Test
  void absolutePathsAreHiddenAndRelativeOnesKept() {
    assertEquals("cannot load ONNX model m/1/model.onnx: Load model from <path> failed",
        ClientMessages.sanitize(
            "cannot load ONNX model m/1/model.onnx: Load model from /srv/models/m/1/model.onnx "
                + "failed"));
    assertEquals("open '<path>' (file:<path>): denied", ClientMessages.sanitize(
        "open '/etc/gantry/tokens' (file:///var/lib/gantry/x.bin): denied"));
    assertEquals("at <path> and <path>",
        ClientMessages.sanitize("at C:\\models\\m\\1 and /home/user/.cache/onnx"));
    assertEquals("no version '../1'; shapes [-1,16] and [1,16]; 10 MiB/s; a/b/c; /tmp",
        ClientMessages.sanitize("no version '../1'; shapes [-1,16] and [1,16]; 10 MiB/s; a/b/c; "
            + "/tmp"));
    assertEquals("key=<path>", ClientMessages.sanitize("key=/opt/secret/key.pem"));
  }

  @Test
  void stackTracesAreCutOff() {
    assertEquals("boom: bad input", ClientMessages.sanitize(
        "boom: bad input\n\tat dev.gantry.Foo.bar(Foo.java:12)\n\tat java.base/x.Y.z(Y.java:1)"));
    assertEquals("line one\nline two", ClientMessages.sanitize("line one\nline two"));
  }

  @Test
  void longMessagesAreCutToFitTheTrailers() {
    String ascii = ClientMessages.sanitize("x".repeat(100_000));
    assertTrue(ascii.endsWith(" more characters)"), ascii.substring(ascii.length() - 40));
    assertTrue(ascii.length() <= ClientMessages.MAX_ENCODED_BYTES);
    String wide = ClientMessages.sanitize("\u00e9\u20ac\ud83d\ude00".repeat(10_000));
    int encoded = URLEncoder.encode(wide, StandardCharsets.UTF_8).length();
    assertTrue(encoded <= ClientMessages.MAX_ENCODED_BYTES, encoded + " bytes encoded");
    assertEquals("", ClientMessages.sanitize(null));
    assertEquals("short", ClientMessages.sanitize("short"));
  }
}
