package dev.gantry.server.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import dev.gantry.server.memory.DirectBufferPool;
import io.grpc.Drainable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Parses a large request message with one copy of its bytes: out of the transport's buffers into
 * one contiguous piece of memory, which the parsed message's {@code bytes} fields then alias
 * instead of copying. A tensor sent in {@code raw_input_contents} is thus a view of that memory.
 *
 * <p>grpc-java's own marshaller copies a message twice (into an array, then every {@code bytes}
 * field into its own array). Below {@link DirectBufferPool#MIN_BYTES} that costs less than the
 * set-up here, so small messages keep grpc-java's path, as do messages that arrive as objects
 * (the in-process transport hands the sender's message over without bytes).
 *
 * <p>Two kinds of memory: an inference request of up to {@link DirectBufferPool#MAX_BYTES} goes
 * into direct memory lent by a {@link DirectBufferPool}, which a backend wraps as it is, and whose
 * loan the request gives back when the scheduler is done with its inputs; any other message goes
 * into a heap array, freed with the message, because nothing tells when its handler is done with
 * its bytes. So does a larger inference request: rare, it would hold direct memory of its own
 * until a garbage collection frees it, which matters more than its copy.
 *
 * <p>A tensor aliased in the message starts at whatever offset the encoding put it, not
 * necessarily one aligned to its element size; the CPU backends read unaligned memory.
 */
final class AliasingParsing {
  private AliasingParsing() {}

  /** A message parsed into lent memory, which it aliases until the loan is given back. */
  record Lent<T>(T message, DirectBufferPool.Loan loan) {}

  /** Whether {@code stream} holds a message that this class should parse. */
  static boolean applies(InputStream stream) throws IOException {
    return stream instanceof KnownLength
        && !(stream instanceof Drainable)
        && stream.available() >= DirectBufferPool.MIN_BYTES;
  }

  /**
   * Parses the whole of {@code stream}, which {@link #applies} accepted, into a heap array.
   *
   * @throws InvalidProtocolBufferException when the bytes are not a valid message
   */
  static <T> T parse(InputStream stream, Parser<T> parser) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(stream.available());
    fill(stream, bytes.duplicate());
    return parseAliasing(bytes, parser);
  }

  /**
   * Parses the whole of {@code stream}, which {@link #applies} accepted, into memory lent by
   * {@code pool}; a message that does not parse gives its loan back at once. Empty, with the
   * stream untouched, when the pool has no memory to lend.
   *
   * @throws InvalidProtocolBufferException when the bytes are not a valid message
   */
  static <T> Optional<Lent<T>> parseLent(InputStream stream, Parser<T> parser,
      DirectBufferPool pool) throws IOException {
    Optional<DirectBufferPool.Loan> lent = pool.lend(stream.available());
    if (lent.isEmpty()) {
      return Optional.empty();
    }
    DirectBufferPool.Loan loan = lent.get();
    try {
      fill(stream, loan.buffer().duplicate());
      return Optional.of(new Lent<>(parseAliasing(loan.buffer(), parser), loan));
    } catch (IOException | RuntimeException e) {
      loan.giveBack();
      throw e;
    }
  }

  private static <T> T parseAliasing(ByteBuffer bytes, Parser<T> parser)
      throws InvalidProtocolBufferException {
    // Wrapped as a ByteString, the memory counts as immutable, which protobuf requires to alias it.
    CodedInputStream input = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    input.enableAliasing(true);
    T message = parser.parseFrom(input, ExtensionRegistryLite.getEmptyRegistry());
    input.checkLastTagWas(0);
    return message;
  }

  /** Copies the stream into {@code target} from its position to its limit. */
  private static void fill(InputStream stream, ByteBuffer target) throws IOException {
    if (stream instanceof HasByteBuffer chunks && chunks.byteBufferSupported()) {
      while (target.hasRemaining()) {
        ByteBuffer chunk = chunks.getByteBuffer();
        if (chunk == null) {
          throw new InvalidProtocolBufferException("the message ended before its announced length");
        }
        int length = Math.min(chunk.remaining(), target.remaining());
        target.put(chunk.limit(chunk.position() + length));
        skipFully(stream, length);
      }
      return;
    }
    byte[] piece = target.hasArray() ? target.array() : new byte[16 * 1024];
    while (target.hasRemaining()) {
      int offset = target.hasArray() ? target.arrayOffset() + target.position() : 0;
      int length = target.hasArray() ? target.remaining() : Math.min(piece.length, target.remaining());
      int read = stream.read(piece, offset, length);
      if (read < 0) {
        throw new InvalidProtocolBufferException("the message ended before its announced length");
      }
      if (target.hasArray()) {
        target.position(target.position() + read);
      } else {
        target.put(piece, 0, read);
      }
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
