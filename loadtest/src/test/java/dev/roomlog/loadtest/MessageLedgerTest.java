package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.loadtest.MessageLedger.Receipt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageLedgerTest {
  private final MessageLedger ledger = new MessageLedger();

  @Test
  void eachMemberGetsAMessageOnceAndTheLastCompletesIt() {
    ledger.sent(0, 1_000, 3, 1, true);
    Receipt other = ledger.received(0, 0, 5_000);
    assertEquals(new Receipt.First(4_000, false, true, false), other);
    Receipt own = ledger.received(0, 1, 6_000);
    assertEquals(new Receipt.First(5_000, true, true, false), own, "the sender's copy is its ack");
    Receipt last = ledger.received(0, 2, 9_000);
    assertEquals(new Receipt.First(8_000, false, true, true), last);
    settle(0, 3);
    assertEquals(0, ledger.pendingCount());
  }

  @Test
  void aMessageAnotherProcessSendsHasNoAckHereAndNamesWhatIsMissing() {
    ledger.expect(4, 1_000, 2, true);
    ledger.expect(5, 2_000, 2, false);
    assertEquals(new Receipt.First(1_000, false, true, false), ledger.received(4, 0, 2_000));
    assertEquals(new Receipt.First(2_000, false, true, true), ledger.received(4, 1, 3_000));
    settle(4, 2);
    ledger.received(5, 1, 2_500);
    ledger.settled(5);
    assertEquals(Set.of(5L), ledger.outstandingIds());
    assertEquals(new MessageLedger.Outstanding(1, 1), ledger.outstanding());
    assertTrue(ledger.refused(5), "shard 0 said it never went out");
    assertEquals(Set.of(), ledger.outstandingIds());
    assertEquals(Set.of(5L), ledger.refusedIds());
  }

  @Test
  void aCompleteMessageStaysPendingUntilEveryCopyIsSettled() throws Exception {
    // The run reads its counters once nothing is pending: a message whose last copy has
    // arrived but whose copies are not all counted yet must still hold the wait.
    ledger.sent(0, 0, 2, 0, true);
    ledger.received(0, 1, 1);
    assertEquals(new Receipt.First(2, true, true, true), ledger.received(0, 0, 2));
    ledger.settled(0);
    assertEquals(1, ledger.pendingCount());
    assertFalse(ledger.awaitNonePending(System.nanoTime()), "one copy is still being counted");
    assertEquals(
        new MessageLedger.Outstanding(0, 0), ledger.outstanding(), "nothing is missing though");

    ledger.settled(0);
    assertEquals(0, ledger.pendingCount());
    assertTrue(ledger.awaitNonePending(System.nanoTime()));
    assertInstanceOf(Receipt.Duplicate.class, ledger.received(0, 1, 3));
  }

  @Test
  void settlingMoreOftenThanReceivedDoesNotReleaseAMessage() {
    ledger.sent(0, 0, 2, 0, true);
    ledger.received(0, 0, 1);
    ledger.settled(0);
    ledger.settled(0);
    assertEquals(1, ledger.pendingCount(), "member 1's copy has not arrived");
  }

  @Test
  void aSecondCopyForTheSameMemberIsADuplicateBeforeAndAfterCompletion() {
    ledger.sent(0, 0, 2, 0, true);
    ledger.received(0, 0, 1);
    assertInstanceOf(Receipt.Duplicate.class, ledger.received(0, 0, 2));
    ledger.received(0, 1, 3);
    assertInstanceOf(
        Receipt.Duplicate.class, ledger.received(0, 1, 4), "complete, being counted: a duplicate");
    settle(0, 2);
    assertInstanceOf(
        Receipt.Duplicate.class, ledger.received(0, 1, 4), "settled and gone: still a duplicate");
  }

  @Test
  void aMessageNeverSentIsUnknown() {
    ledger.sent(0, 0, 2, 0, true);
    assertInstanceOf(Receipt.Unknown.class, ledger.received(99, 0, 1));
    assertInstanceOf(Receipt.Unknown.class, ledger.received(0, 5, 1), "no such member");
  }

  @Test
  void warmUpMessagesAreCountedButNotMeasured() {
    ledger.sent(0, 0, 1, 0, false);
    assertEquals(new Receipt.First(10, true, false, true), ledger.received(0, 0, 10));
  }

  @Test
  void aRefusedMessageIsNotWaitedForAndALateCopyOfItIsNotADuplicate() {
    ledger.sent(0, 0, 2, 0, true);
    assertTrue(ledger.refused(0));
    assertFalse(ledger.refused(0), "only once");
    assertEquals(1, ledger.refusedCount());
    assertEquals(new MessageLedger.Outstanding(0, 0), ledger.outstanding());
    assertInstanceOf(Receipt.AfterRefusal.class, ledger.received(0, 1, 5));
  }

  @Test
  void aRefusalAfterACopyArrivedEndsTheWaitAndTheCopysSettlingIsIgnored() throws Exception {
    // A 503 logUnavailable may come after the write landed and a copy was delivered.
    ledger.sent(0, 0, 2, 0, true);
    ledger.received(0, 1, 1);
    assertTrue(ledger.refused(0));
    ledger.settled(0);
    assertEquals(1, ledger.refusedCount());
    assertTrue(ledger.awaitNonePending(System.nanoTime()));
  }

  @Test
  void aCompleteMessageIsNotRefused() {
    ledger.sent(0, 0, 1, 0, true);
    ledger.received(0, 0, 1);
    assertFalse(ledger.refused(0), "every member has it");
    assertEquals(0, ledger.refusedCount());
  }

  @Test
  void whatNeverArrivesIsOutstandingByMessageAndByMissingCopy() {
    ledger.sent(0, 0, 10, 0, true);
    ledger.sent(1, 0, 10, 0, true);
    ledger.sent(2, 0, 10, 0, true);
    for (int slot = 0; slot < 10; slot++) {
      ledger.received(0, slot, 1);
    }
    ledger.received(1, 0, 1);
    assertEquals(new MessageLedger.Outstanding(2, 9 + 10), ledger.outstanding());
  }

  @Test
  void waitingForNonePendingEndsWhenTheLastCopyArrivesOrAtTheDeadline() throws Exception {
    ledger.sent(0, 0, 1, 0, true);
    assertFalse(ledger.awaitNonePending(System.nanoTime()), "past the deadline at once");
    Thread receiver =
        new Thread(
            () -> {
              ledger.received(0, 0, 1);
              ledger.settled(0);
            });
    receiver.start();
    assertTrue(ledger.awaitNonePending(System.nanoTime() + 30_000_000_000L));
    receiver.join();
  }

  private void settle(long id, int copies) {
    for (int i = 0; i < copies; i++) {
      ledger.settled(id);
    }
  }
}
