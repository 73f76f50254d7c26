package dev.gantry.server.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Parses a large request message with one copy of its bytes: out of the transport's buffers into
 * one array, which the parsed message's {@code bytes} fields then alias instead of copying. A
 * tensor sent in {@code raw_input_contents} is thus a view of that array.
 *
 * <p>grpc-java's own marshaller copies a message twice (into an array, then every {@code bytes}
 * field into its own array). Below {@link #MIN_BYTES} that costs less than the set-up here, so
 * small messages keep grpc-java's path. The array is ordinary heap memory, freed with the request;
 * a direct buffer per request was tried and rejected: with little heap garbage per request, the
 * garbage collector ran too rarely to return direct memory, and allocation stalled.
 */
final class AliasingParsing {
  /** Messages at least this large are parsed here. */
  static final int MIN_BYTES = 64 * 1024;

  private AliasingParsing() {}

  /** Whether {@code stream} holds a message that this class should parse. */
  static boolean applies(InputStream stream) throws IOException {
    return stream instanceof KnownLength && stream.available() >= MIN_BYTES;
  }

  /**
   * Parses the whole of {@code stream}, which {@link #applies} accepted.
   *
   * @throws InvalidProtocolBufferException when the bytes are not a valid message
   */
  static <T> T parse(InputStream stream, Parser<T> parser) throws IOException {
    byte[] bytes = new byte[stream.available()];
    fill(stream, bytes);
    // Wrapped as a ByteString, the array counts as immutable, which protobuf requires to alias it.
    CodedInputStream input = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    input.enableAliasing(true);
    T message = parser.parseFrom(input, ExtensionRegistryLite.getEmptyRegistry());
    input.checkLastTagWas(0);
    return message;
  }

  private static void fill(InputStream stream, byte[] target) throws IOException {
    int filled = 0;
    if (stream instanceof HasByteBuffer chunks && chunks.byteBufferSupported()) {
      while (filled < target.length) {
        ByteBuffer chunk = chunks.getByteBuffer();
        int length = Math.min(chunk.remaining(), target.length - filled);
        chunk.get(target, filled, length);
        skipFully(stream, length);
        filled += length;
      }
      return;
    }
    while (filled < target.length) {
      int read = stream.read(target, filled, target.length - filled);
      if (read < 0) {
        throw new InvalidProtocolBufferException("the message ended before its announced length");
      }
      filled += read;
    }
  }

  private static void skipFully(InputStream stream, long length) throws IOException {
    long left = length;
    while (left > 0) {
      long skipped = stream.skip(left);
      if (skipped <= 0) {
        throw new InvalidProtocolBufferException("the message ended before its announced length");
      }
      left -= skipped;
    }
  }
}
