package dev.roomlog.gateway.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObsFoldDetectorTest {
  private static ObsFoldDetector feed(String text) {
    ObsFoldDetector detector = new ObsFoldDetector();
    for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
      if (!detector.feed(b)) {
        break;
      }
    }
    return detector;
  }

  @Test
  void plainHeadHasNoFoldAndEndsAtTheBlankLine() {
    ObsFoldDetector d = feed("GET / HTTP/1.1\r\nHost: x\r\nX-A: a b\r\n\r\n");

    assertTrue(d.done());
    assertFalse(d.foldSeen());
  }

  @Test
  void continuationLineStartingWithSpaceOrTabIsAFold() {
    assertTrue(feed("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n").foldSeen());
    assertTrue(feed("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n").foldSeen());
  }

  @Test
  void whitespaceBeforeTheFirstHeaderIsAlsoCaught() {
    assertTrue(feed("GET / HTTP/1.1\r\n Host: x\r\n\r\n").foldSeen());
  }

  @Test
  void bytesAfterTheHeadAreNotLookedAt() {
    // A body or the first WebSocket bytes may start with a space.
    ObsFoldDetector d = feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n continued");

    assertTrue(d.done());
    assertFalse(d.foldSeen());
  }

  @Test
  void leadingEmptyLinesAndSpacesInsideLinesAreNotFolds() {
    assertFalse(feed("\r\n\r\nGET / HTTP/1.1\r\nHost:  x  y\r\n\r\n").foldSeen());
  }

  @Test
  void headSplitAcrossReadsIsStillFollowed() {
    ObsFoldDetector d = new ObsFoldDetector();
    for (String part :
        new String[] {"GET / HTTP/1.1\r", "\nHost: x\r\nX: a\r", "\n", " b\r\n\r\n"}) {
      for (byte b : part.getBytes(StandardCharsets.ISO_8859_1)) {
        d.feed(b);
      }
    }
    assertTrue(d.foldSeen());
  }
}
