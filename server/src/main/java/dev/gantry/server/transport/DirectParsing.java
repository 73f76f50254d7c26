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
 * one direct buffer, which the parsed message's {@code bytes} fields then alias instead of copying.
 * A tensor sent in {@code raw_input_contents} thus reaches the backend as a view of that direct
 * buffer, which ONNX Runtime wraps without a further copy.
 *
 * <p>grpc-java's own marshaller copies a message twice (into an array, then every {@code bytes}
 * field into its own array), and the ONNX Runtime backend copied the heap view once more into
 * native memory. Below {@link #MIN_BYTES} those copies cost less than allocating a direct buffer,
 * so small messages keep grpc-java's path. The buffer belongs to the garbage collector and lives
 * as long as the request does; its size is bounded by the server's maximum message size.
 */
final class DirectParsing {
  /** Messages at least this large are parsed into a direct buffer. */
  static final int MIN_BYTES = 64 * 1024;

  private DirectParsing() {}

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
    ByteBuffer bytes = ByteBuffer.allocateDirect(stream.available());
    fill(stream, bytes);
    bytes.flip();
    // Wrapped as a ByteString, the buffer counts as immutable, which protobuf requires to alias it.
    CodedInputStream input = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    input.enableAliasing(true);
    T message = parser.parseFrom(input, ExtensionRegistryLite.getEmptyRegistry());
    input.checkLastTagWas(0);
    return message;
  }

  private static void fill(InputStream stream, ByteBuffer target) throws IOException {
    if (stream instanceof HasByteBuffer chunks && chunks.byteBufferSupported()) {
      while (target.hasRemaining()) {
        ByteBuffer chunk = chunks.getByteBuffer();
        int length = Math.min(chunk.remaining(), target.remaining());
        target.put(chunk.limit(chunk.position() + length));
        skipFully(stream, length);
      }
      return;
    }
    byte[] scratch = new byte[8192];
    while (target.hasRemaining()) {
      int read = stream.read(scratch, 0, Math.min(scratch.length, target.remaining()));
      if (read < 0) {
        throw new InvalidProtocolBufferException("the message ended before its announced length");
      }
      target.put(scratch, 0, read);
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
