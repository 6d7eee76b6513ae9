package dev.roomlog.protocol;

import java.util.OptionalLong;

/**
 * A gateway's run id ({@code RequestContext.gatewayInstance}): {@code <start millis>-<unique>}, new
 * at every start. The start time in front is what orders two runs of one gateway id, for the
 * processor (which keeps the newer run's members) and for the gateways (the older of two twins
 * stops), so both read it here. Pure.
 */
public final class GatewayRuns {
  private GatewayRuns() {}

  /** The id of a run started at {@code startMillis}. */
  public static String id(long startMillis, String unique) {
    return startMillis + "-" + unique;
  }

  /** The start time at the front of {@code runId}; empty for null or an id without one. */
  public static OptionalLong startOf(String runId) {
    int dash = runId == null ? -1 : runId.indexOf('-');
    if (dash <= 0) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(runId.substring(0, dash)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
