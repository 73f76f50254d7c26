package dev.gantry.server.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * Direct memory lent to one request at a time and given back when the request no longer needs it,
 * so that large requests can be parsed into memory a backend wraps without copying. A fresh direct
 * buffer per request would be cleared by the JVM on every allocation and returned only by the
 * garbage collector, which runs seldom on a serving path that makes little heap garbage: direct
 * allocation then stalls. Reused, a buffer costs neither.
 *
 * <p>A loan that is never given back is not a leak: the buffer is ordinary garbage once nothing
 * references it. Memory is only ever reused after {@link Loan#giveBack()}, so a holder that reads
 * a buffer after giving it back is the one way to see another request's bytes.
 *
 * <p>Buffers come in powers of two from {@link #MIN_BYTES} to {@link #MAX_BYTES}. At most {@link
 * #RETAINED_BYTES} are kept free, and a free buffer nobody took for {@link #IDLE_NANOS} is
 * dropped when any buffer is given back, so that under load the pool keeps about what the recent
 * load needed; once requests stop, what it keeps stays until the next one. A dropped buffer is
 * freed by the garbage collector, not at once (freeing it explicitly would turn a holder's late
 * read into a crash): a load that needs more than the retained bytes in flight allocates again.
 */
public final class DirectBufferPool {
  /** The smallest buffer lent. */
  public static final int MIN_BYTES = 64 * 1024;
  /** The largest buffer lent. */
  public static final int MAX_BYTES = 64 << 20;
  /** The most free memory kept over all sizes. */
  static final long RETAINED_BYTES = 128L << 20;
  /** How long a free buffer stays kept while nobody takes it. */
  static final long IDLE_NANOS = 10_000_000_000L;

  private static final int CLASSES =
      Integer.numberOfTrailingZeros(MAX_BYTES) - Integer.numberOfTrailingZeros(MIN_BYTES) + 1;

  /** A kept buffer; compared by identity, so that removing one never compares contents. */
  private static final class Free {
    final ByteBuffer memory;
    final long since;

    Free(ByteBuffer memory, long since) {
      this.memory = memory;
      this.since = since;
    }
  }

  @SuppressWarnings("unchecked")
  private final ConcurrentLinkedDeque<Free>[] free = new ConcurrentLinkedDeque[CLASSES];
  private final AtomicLong retained = new AtomicLong();
  private final LongSupplier clock;
  private final IntFunction<ByteBuffer> allocator;

  public DirectBufferPool() {
    this(System::nanoTime, ByteBuffer::allocateDirect);
  }

  DirectBufferPool(LongSupplier clock, IntFunction<ByteBuffer> allocator) {
    this.clock = clock;
    this.allocator = allocator;
    for (int i = 0; i < CLASSES; i++) {
      free[i] = new ConcurrentLinkedDeque<>();
    }
  }

  /**
   * Lends a buffer of exactly {@code bytes} bytes, position 0, in native byte order; empty when
   * the JVM's direct memory ({@code -XX:MaxDirectMemorySize}) is used up, so that the caller
   * keeps the bytes on the heap instead of failing the request.
   *
   * @throws IllegalArgumentException when {@code bytes} exceeds {@link #MAX_BYTES}
   */
  public Optional<Loan> lend(int bytes) {
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException(
          "at most " + MAX_BYTES + " bytes are lent at once, not " + bytes);
    }
    int sizeClass = sizeClass(bytes);
    Free kept = free[sizeClass].pollFirst();
    if (kept != null) {
      retained.addAndGet(-kept.memory.capacity());
      return Optional.of(new Loan(kept.memory, bytes, sizeClass));
    }
    ByteBuffer fresh;
    try {
      fresh = allocator.apply(MIN_BYTES << sizeClass);
    } catch (OutOfMemoryError directMemoryUsedUp) {
      return Optional.empty();
    }
    return Optional.of(new Loan(fresh, bytes, sizeClass));
  }

  /** Bytes kept free for reuse now. */
  public long retainedBytes() {
    return retained.get();
  }

  private void giveBack(ByteBuffer memory, int sizeClass) {
    long now = clock.getAsLong();
    for (ConcurrentLinkedDeque<Free> kept : free) {
      dropIdle(kept, now);
    }
    if (retained.addAndGet(memory.capacity()) > RETAINED_BYTES) {
      retained.addAndGet(-memory.capacity());
      return;
    }
    free[sizeClass].addFirst(new Free(memory, now));
  }

  /** Drops the buffers at the cold end of one size's free list that nobody took for too long. */
  private void dropIdle(ConcurrentLinkedDeque<Free> kept, long now) {
    Free oldest;
    while ((oldest = kept.peekLast()) != null && now - oldest.since > IDLE_NANOS) {
      if (kept.removeLastOccurrence(oldest)) {
        retained.addAndGet(-oldest.memory.capacity());
      }
    }
  }

  /** The index of the smallest size class that holds {@code bytes}. */
  private static int sizeClass(int bytes) {
    if (bytes <= MIN_BYTES) {
      return 0;
    }
    int powerOfTwo = 32 - Integer.numberOfLeadingZeros(bytes - 1);
    return powerOfTwo - Integer.numberOfTrailingZeros(MIN_BYTES);
  }

  /** One buffer lent; {@link #giveBack()} makes it reusable, once. */
  public final class Loan {
    private final ByteBuffer memory;
    private final ByteBuffer lent;
    private final int sizeClass;
    private final AtomicBoolean given = new AtomicBoolean();

    private Loan(ByteBuffer memory, int bytes, int sizeClass) {
      this.memory = memory;
      this.lent = memory.slice(0, bytes).order(ByteOrder.nativeOrder());
      this.sizeClass = sizeClass;
    }

    /** The lent bytes, from position 0 to the size asked for. */
    public ByteBuffer buffer() {
      return lent;
    }

    /** Makes the memory reusable by the next loan; later calls do nothing. */
    public void giveBack() {
      if (given.compareAndSet(false, true)) {
        DirectBufferPool.this.giveBack(memory, sizeClass);
      }
    }
  }
}
