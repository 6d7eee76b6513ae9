package dev.roomlog.protocol.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The wire name of an action kind has one source, Action's Jackson mapping, and covers all. */
class ActionNamesTest {

  @Test
  void everyKindOfActionHasAWireName() {
    Set<Class<?>> kinds = new HashSet<>();
    Deque<Class<?>> toVisit = new ArrayDeque<>();
    toVisit.add(Action.class);
    while (!toVisit.isEmpty()) {
      Class<?> next = toVisit.pop();
      if (next.isSealed()) {
        toVisit.addAll(List.of(next.getPermittedSubclasses()));
      } else {
        kinds.add(next);
      }
    }
    assertEquals(13, kinds.size(), "kinds of action: " + kinds);
    for (Class<?> kind : kinds) {
      assertNotNull(nameOfKind(kind), kind.getSimpleName() + " has no wire name");
    }
  }

  @Test
  void theNameIsTheActionFieldOfTheJson() throws Exception {
    Action send = new Action.SendMessage("r1", "room-1", "hello", "m1");
    String json = new ObjectMapper().writeValueAsString(send);
    assertEquals(
        new ObjectMapper().readTree(json).get("action").asText(), ActionNames.of(send), json);
    assertEquals(ActionNames.SEND_MESSAGE, ActionNames.of(send));
  }

  private static String nameOfKind(Class<?> kind) {
    for (JsonSubTypes.Type type : Action.class.getAnnotation(JsonSubTypes.class).value()) {
      if (type.value() == kind) {
        return type.name();
      }
    }
    return null;
  }
}
