package dev.roomlog.gateway.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.roomlog.protocol.control.ConnectionCommand.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManagementRequestTest {

  private static ManagementRequest.Invalid invalid(String method, String path, String stage) {
    return assertInstanceOf(
        ManagementRequest.Invalid.class,
        ManagementRequest.parse(method, path, stage),
        method + " " + path);
  }

  @Test
  void mapsEachConnectionMethodToItsOp() {
    assertEquals(
        new ManagementRequest.OnConnection(Op.SEND, "gw-1.abc"),
        ManagementRequest.parse("POST", "/@connections/gw-1.abc", null));
    assertEquals(
        new ManagementRequest.OnConnection(Op.GET, "gw-1.abc"),
        ManagementRequest.parse("GET", "/@connections/gw-1.abc", null));
    assertEquals(
        new ManagementRequest.OnConnection(Op.DELETE, "gw-1.abc"),
        ManagementRequest.parse("DELETE", "/@connections/gw-1.abc", null));
  }

  @Test
  void takesTheConnectionRoutesUnderTheGatewaysStage() {
    assertEquals(
        new ManagementRequest.OnConnection(Op.SEND, "gw-1.abc"),
        ManagementRequest.parse("POST", "/production/@connections/gw-1.abc", "production"));
    assertEquals(
        new ManagementRequest.OnConnection(Op.DELETE, "gw-1.abc"),
        ManagementRequest.parse("DELETE", "/production/@connections/gw-1.abc", "production"));
  }

  @Test
  void aStagePrefixIsNotFoundWhenTheGatewayHasNoStageOrAnotherOne() {
    assertEquals(404, invalid("GET", "/production/@connections/gw-1.abc", null).status());
    assertEquals(404, invalid("GET", "/staging/@connections/gw-1.abc", "production").status());
  }

  @Test
  void mapsAPostToARoomsMessages() {
    assertEquals(
        new ManagementRequest.PostToRoom("lobby"),
        ManagementRequest.parse("POST", "/rooms/lobby/messages", null));
    assertEquals(
        new ManagementRequest.PostToRoom("lobby"),
        ManagementRequest.parse("POST", "/rooms/lobby/messages", "production"));
  }

  @Test
  void answersOtherMethodsOnAConnectionWith405ListingTheAllowedOnes() {
    for (String method : new String[] {"PUT", "PATCH", "HEAD", "OPTIONS"}) {
      ManagementRequest.Invalid refused = invalid(method, "/@connections/gw-1.abc", null);
      assertEquals(405, refused.status(), method);
      assertEquals("methodNotAllowed", refused.code(), method);
      assertEquals("POST, GET, DELETE", refused.allow(), method);
    }
  }

  @Test
  void answersOtherMethodsOnRoomMessagesWith405AllowingPost() {
    for (String method : new String[] {"GET", "DELETE", "PUT"}) {
      ManagementRequest.Invalid refused = invalid(method, "/rooms/lobby/messages", null);
      assertEquals(405, refused.status(), method);
      assertEquals("POST", refused.allow(), method);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/",
        "/@connections",
        "/@connections/",
        "/@connections/gw-1.abc/extra",
        "/@connections/gw-1.abc/",
        "//@connections/gw-1.abc",
        "/rooms//messages",
        "/rooms/x/messages/extra",
        "/rooms/x/messages/",
        "/rooms/x/history",
        "/health",
      })
  void answersUnknownPathsWith404WithoutAnAllowHeader(String path) {
    ManagementRequest.Invalid unknown = invalid("POST", path, null);
    assertEquals(404, unknown.status());
    assertEquals("notFound", unknown.code());
    assertNull(unknown.allow());
  }

  @Test
  void roomQueriesAreGetsOnRoomsAndOneRoomAndAnythingElseThereIs405() {
    assertEquals(new ManagementRequest.RoomQuery(), ManagementRequest.parse("GET", "/rooms", null));
    assertEquals(
        new ManagementRequest.RoomQuery(), ManagementRequest.parse("GET", "/rooms/lobby", null));
    ManagementRequest.Invalid post = invalid("POST", "/rooms/lobby", null);
    assertEquals(405, post.status());
    assertEquals("GET", post.allow());
    assertEquals(404, invalid("GET", "/rooms/", null).status(), "an empty room id names no room");
    assertEquals(400, invalid("GET", "/rooms/lob%zz", null).status());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/@connections/gw-1.%zz", "/@connections/gw-1.ab%4", "/rooms/lob%by/messages"})
  void answersABrokenPercentEscapeWith400(String path) {
    ManagementRequest.Invalid broken = invalid("POST", path, null);
    assertEquals(400, broken.status());
    assertEquals("badPath", broken.code());
  }

  @Test
  void decodesPercentEscapesButKeepsAPlusAsAPlus() {
    assertEquals(
        new ManagementRequest.OnConnection(Op.GET, "gw-1.a+b"),
        ManagementRequest.parse("GET", "/@connections/gw-1.a+b", null));
    assertEquals(
        new ManagementRequest.OnConnection(Op.GET, "gw-1.a+b c"),
        ManagementRequest.parse("GET", "/@connections/gw-1.a%2Bb%20c", null));
    assertEquals(
        new ManagementRequest.PostToRoom("team+ops"),
        ManagementRequest.parse("POST", "/rooms/team+ops/messages", null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"get", "post", "delete", "Get", "BREW"})
  void aMethodItDoesNotKnowIs501WhateverThePathMethodsBeingCaseSensitive(String method) {
    for (String path :
        new String[] {
          "/@connections/gw-1.abc", "/rooms/lobby/messages", "/rooms", "/metrics", "/nope"
        }) {
      ManagementRequest.Invalid invalid = invalid(method, path, null);
      assertEquals(501, invalid.status(), method + " " + path);
      assertEquals("methodNotImplemented", invalid.code());
      assertNull(invalid.allow());
    }
  }
}
