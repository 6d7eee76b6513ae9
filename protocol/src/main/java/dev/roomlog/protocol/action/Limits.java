package dev.roomlog.protocol.action;

/**
 * The field limits every gateway enforces before an action reaches the log. Lengths count Unicode
 * code points, so an emoji counts as one character.
 */
public final class Limits {
  public static final int MAX_USERNAME_LENGTH = 64;
  public static final int MAX_ROOM_ID_LENGTH = 64;
  public static final int MAX_TEXT_LENGTH = 4096;
  public static final int MAX_REQUEST_ID_LENGTH = 128;
  public static final int MAX_CLIENT_MSG_ID_LENGTH = 128;

  /** The longest user an invite or a kick names: a token's subject is at most this long. */
  public static final int MAX_USER_LENGTH = 256;

  /**
   * How many members a {@code joined} (or {@code roomCreated}, or a 410's room) lists: the first
   * ones in join order, with {@code memberCount} and the cursor of the rest ({@code membersNext}),
   * whatever the room's size. Also the page size of a {@code members} action that names no limit.
   */
  public static final int FIRST_MEMBERS_PAGE = 100;

  /** The largest {@code limit} of a {@code members} action (and of the room query's page). */
  public static final int MAX_MEMBERS_PAGE = 1000;

  /** Room ids are URL- and log-safe: letters, digits, '.', '_' and '-'. */
  public static final String ROOM_ID_PATTERN = "[A-Za-z0-9._-]+";

  private Limits() {}
}
