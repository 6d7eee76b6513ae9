package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class MessageTextTest {
  @Test
  void carriesTheIdAndSendTimeAndIsPaddedToTheSize() {
    String text = MessageText.format(42, 123_456_789_012L, 64);
    assertEquals(64, text.length());
    assertEquals(new MessageText.Stamp(42, 123_456_789_012L), MessageText.parse(text));
  }

  @Test
  void aSizeShorterThanTheStampGivesJustTheStamp() {
    String text = MessageText.format(7, -5, 1);
    assertEquals("lt:7:-5:", text);
    assertEquals(new MessageText.Stamp(7, -5), MessageText.parse(text));
  }

  @Test
  void someoneElsesTextIsNotOurs() {
    assertNull(MessageText.parse("hello"));
    assertNull(MessageText.parse("lt:12"));
    assertNull(MessageText.parse("lt:x:1:"));
    assertNull(MessageText.parse(null));
  }
}
