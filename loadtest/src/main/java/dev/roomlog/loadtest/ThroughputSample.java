package dev.roomlog.loadtest;

/**
 * One progress interval (about a second) of a run: when it ended, counted from the start of the
 * run, and what happened in it, per second.
 *
 * @param atSeconds end of the interval, seconds since the run started
 * @param phase what the run was doing (connecting, setup, warmup, running, draining, ...)
 * @param sentPerSecond messages sent (connections scenario: connections attempted)
 * @param ackedPerSecond copies received by their senders (connections: connections ready)
 * @param deliveredPerSecond copies received by members, senders' own included
 */
record ThroughputSample(
    double atSeconds,
    String phase,
    double sentPerSecond,
    double ackedPerSecond,
    double deliveredPerSecond) {}
