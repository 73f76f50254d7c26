package dev.gantry.server.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the pool lends, what it keeps, and when it lets memory go. */
class DirectBufferPoolTest {
  private final AtomicLong now = new AtomicLong();
  private final DirectBufferPool pool = new DirectBufferPool(now::get, ByteBuffer::allocateDirect);

  private DirectBufferPool.Loan lend(int bytes) {
    return pool.lend(bytes).orElseThrow();
  }

  @Test
  void aLoanIsDirectNativeOrderAndExactlyTheSizeAskedFor() {
    ByteBuffer lent = lend(600_000).buffer();
    assertTrue(lent.isDirect());
    assertEquals(ByteOrder.nativeOrder(), lent.order());
    assertEquals(0, lent.position());
    assertEquals(600_000, lent.remaining());
  }

  @Test
  void memoryGivenBackIsLentAgainToTheNextRequestOfItsSize() {
    DirectBufferPool.Loan first = lend(600_000);
    first.buffer().put(0, (byte) 42);
    first.giveBack();
    assertEquals(1 << 20, pool.retainedBytes());

    DirectBufferPool.Loan second = lend(700_000);
    assertEquals(42, second.buffer().get(0), "the same memory, not a fresh (zeroed) buffer");
    assertEquals(0, pool.retainedBytes());
  }

  @Test
  void givingBackTwiceKeepsTheMemoryOnce() {
    DirectBufferPool.Loan loan = lend(100_000);
    loan.giveBack();
    loan.giveBack();
    assertEquals(128 * 1024, pool.retainedBytes());
    lend(100_000);
    assertEquals(0, pool.retainedBytes(), "lent once, not twice to two holders");
  }

  @Test
  void memoryIsNotLentAgainWhileItIsOut() {
    DirectBufferPool.Loan first = lend(70_000);
    DirectBufferPool.Loan second = lend(70_000);
    first.buffer().put(0, (byte) 1);
    second.buffer().put(0, (byte) 2);
    assertEquals(1, first.buffer().get(0));
  }

  @Test
  void theLargestSizeIsLentAndKeptAndNothingLarger() {
    DirectBufferPool.Loan largest = lend(DirectBufferPool.MAX_BYTES);
    assertEquals(DirectBufferPool.MAX_BYTES, largest.buffer().remaining());
    largest.giveBack();
    assertEquals(DirectBufferPool.MAX_BYTES, pool.retainedBytes());
    assertThrows(IllegalArgumentException.class, () -> lend(DirectBufferPool.MAX_BYTES + 1));
  }

  @Test
  void atMostTheRetainedBoundIsKeptFree() {
    List<DirectBufferPool.Loan> loans = new ArrayList<>();
    int size = 8 << 20;
    for (long kept = 0; kept <= DirectBufferPool.RETAINED_BYTES; kept += size) {
      loans.add(lend(size));
    }
    loans.forEach(DirectBufferPool.Loan::giveBack);
    assertEquals(DirectBufferPool.RETAINED_BYTES, pool.retainedBytes());
  }

  @Test
  void freeMemoryNobodyTookForTheIdleTimeIsDropped() {
    DirectBufferPool.Loan early = lend(100_000);
    DirectBufferPool.Loan late = lend(100_000);
    early.giveBack();
    now.addAndGet(DirectBufferPool.IDLE_NANOS + 1);
    late.giveBack();
    assertEquals(128 * 1024, pool.retainedBytes(), "only the buffer given back just now is kept");
  }

  @Test
  void idleMemoryOfOneSizeIsDroppedWhenAnotherSizeIsGivenBack() {
    DirectBufferPool.Loan small = lend(100_000);
    DirectBufferPool.Loan large = lend(600_000);
    small.giveBack();
    now.addAndGet(DirectBufferPool.IDLE_NANOS + 1);
    large.giveBack();
    assertEquals(1 << 20, pool.retainedBytes(), "the idle 128 KiB buffer went");
  }


  @Test
  void withTheJvmsDirectMemoryUsedUpNothingIsLentButWhatIsKept() {
    AtomicLong allocations = new AtomicLong();
    DirectBufferPool nearlyFull = new DirectBufferPool(now::get, bytes -> {
      if (allocations.incrementAndGet() > 1) {
        throw new OutOfMemoryError("Cannot reserve " + bytes + " bytes of direct buffer memory");
      }
      return ByteBuffer.allocateDirect(bytes);
    });
    DirectBufferPool.Loan only = nearlyFull.lend(100_000).orElseThrow();
    assertTrue(nearlyFull.lend(100_000).isEmpty(), "the caller parses on the heap instead");
    only.giveBack();
    assertTrue(nearlyFull.lend(100_000).isPresent(), "memory given back is lent again");
  }
}
