package dev.roomlog.gateway.connection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.protocol.frame.ErrorCode;
import dev.roomlog.protocol.frame.ServerFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameAnswersTest {
  private static final List<ServerFrame.MemberView> MEMBERS =
      List.of(new ServerFrame.MemberView("c1", "ann"));

  private static FrameAnswers of(ServerFrame frame) {
    return FrameAnswers.of(frame.toJson());
  }

  @Test
  void theRepliesSentOnlyToRequestersAnswerEachRecipientAndAreCharged() {
    ServerFrame.Message kept = new ServerFrame.Message("r", 4, "ann", "c1", "hi", 1L, null, null);
    for (ServerFrame reply :
        List.of(
            new ServerFrame.RoomCreated("r", 2, MEMBERS, "q"),
            new ServerFrame.Joined("r", 3, MEMBERS, List.of(kept), null, null),
            new ServerFrame.Resumed("r", 2, 4, List.of(kept), "q"),
            new ServerFrame.Left("r", 5, null),
            new ServerFrame.Members("r", 5, 200, MEMBERS, 7L, "q"),
            ErrorCode.ROOM_NOT_FOUND.frame("no room", null),
            ErrorCode.INTERNAL_ERROR.frame("set aside", "q"))) {
      FrameAnswers answers = of(reply);
      assertTrue(answers.answers("c1") && answers.answers("c9"), reply.toJson());
      assertTrue(answers.charged(), reply.toJson());
    }
  }

  @Test
  void theSendersCopyAnswersItsSenderWithoutBeingCharged() {
    FrameAnswers withRequestId =
        of(new ServerFrame.Message("r", 4, "ann", "c1", "hi", 1L, "m-1", "q"));
    FrameAnswers invited = of(new ServerFrame.UserInvited("r", 5, "bob", "ann", 1L, "q"));
    FrameAnswers withoutRequestId =
        of(new ServerFrame.Message("r", 4, "ann", "c1", "hi", 1L, "m-1", null));

    assertTrue(withRequestId.answers("c1"));
    assertFalse(withRequestId.charged());
    assertTrue(invited.answers("c1"));
    assertTrue(withoutRequestId.answers("c1"), "the message names its sender");
    assertFalse(withoutRequestId.answers("c2"), "a member who did not send it");
    assertFalse(withoutRequestId.charged());
  }

  @Test
  void framesAboutOthersAndBackendFramesAnswerNobody() {
    for (ServerFrame told :
        List.of(
            new ServerFrame.MemberJoined("r", 3, "c1", "ann", 1L),
            new ServerFrame.MemberLeft("r", 6, "c1", "ann", "kicked", 2L),
            new ServerFrame.UserInvited("r", 5, "bob", "ann", 1L, null),
            new ServerFrame.Connected("c1"))) {
      assertFalse(of(told).answers("c1"), told.toJson());
    }
    // A text that only looks like a message: a requestId nested deeper, or type not first.
    assertFalse(
        FrameAnswers.of("{\"type\":\"message\",\"x\":{\"requestId\":\"q\"}}").answers("c1"));
    assertFalse(FrameAnswers.of("{\"requestId\":\"q\",\"type\":\"message\"}").answers("c1"));
    assertFalse(FrameAnswers.of("{\"type\":\"message\",\"requestId\":7}").answers("c1"));
    assertFalse(FrameAnswers.of("not json").answers("c1"));
    assertFalse(FrameAnswers.of("{\"type\":\"message\",\"connectionId\":\"c1\"").answers("c1"));
  }
}
