package dev.gantry.server.security;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last filter on error text before it reaches a client. Gantry writes its messages for
 * callers, but some carry text from elsewhere: a backend's or runtime's exception, a load failure
 * naming files, or the caller's own input echoed back. Whatever the source, a client never sees
 * the server's file system, a stack trace, or a message too long for gRPC's trailers:
 *
 * <ul>
 *   <li>absolute paths ({@code /srv/models/m/1/model.onnx}, {@code file:///...}, {@code
 *       C:\...}) become {@value #PATH}; relative ones ({@code 1/model.onnx}) stay, they name
 *       files inside the model;
 *   <li>from the first line that looks like a stack frame ({@code at a.b.C.m(...)}) on, the text
 *       is dropped;
 *   <li>the message is cut, marked, so that percent-encoded in the {@code grpc-message} trailer it
 *       takes at most {@value #MAX_ENCODED_BYTES} bytes, well inside a client's default 8 KiB of
 *       metadata.
 * </ul>
 */
public final class ClientMessages {
  /** What an absolute path is replaced with. */
  public static final String PATH = "<path>";

  /** The most bytes a message takes once percent-encoded as gRPC sends it. */
  public static final int MAX_ENCODED_BYTES = 4096;

  private static final String NOT_IN_PATH = "\\s/'\"`:;,()\\[\\]{}<>|=";
  private static final Pattern POSIX_PATH = Pattern.compile(
      "(?<![\\w.~\\-/])/+(?:[^" + NOT_IN_PATH + "]+/)+[^" + NOT_IN_PATH + "]*");
  private static final Pattern WINDOWS_PATH =
      Pattern.compile("(?<![\\w])[A-Za-z]:\\\\[^\\s'\"`;,()\\[\\]{}<>|]*");
  private static final Pattern STACK_FRAME = Pattern.compile("\\R\\s*at [\\w$.]+\\(");

  private ClientMessages() {}

  /** The message as a client may see it; empty for null. */
  public static String sanitize(String message) {
    if (message == null) {
      return "";
    }
    String text = message;
    Matcher frame = STACK_FRAME.matcher(text);
    if (frame.find()) {
      text = text.substring(0, frame.start());
    }
    text = POSIX_PATH.matcher(text).replaceAll(PATH);
    text = WINDOWS_PATH.matcher(text).replaceAll(Matcher.quoteReplacement(PATH));
    return cut(text);
  }

  private static String cut(String text) {
    int encoded = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      encoded += encodedSize(codePoint);
      if (encoded > MAX_ENCODED_BYTES - 64) {
        return text.substring(0, i) + "... (" + (text.length() - i) + " more characters)";
      }
      i += Character.charCount(codePoint);
    }
    return text;
  }

  /** Bytes of one code point in gRPC's percent-encoding of {@code grpc-message}. */
  private static int encodedSize(int codePoint) {
    if (codePoint >= ' ' && codePoint < 0x7f && codePoint != '%') {
      return 1;
    }
    return 3 * new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
  }
}
