package dev.roomlog.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts a command started, closed in the reverse order of their start: the gateway before the
 * processor before the broker, so that each part's last writes still find the parts it writes to.
 * Closing goes on past a part that fails to close.
 */
final class Stack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Stack.class);
  private final Deque<AutoCloseable> parts = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  <T extends AutoCloseable> T push(T part) {
    parts.push(part);
    return part;
  }

  /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes every part. */
  void runUntilShutdown(String name) throws InterruptedException {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping " + name + "...");
                  close();
                  System.out.println(name + " stopped.");
                },
                "roomlog-shutdown"));
    closed.await();
  }

  @Override
  public synchronized void close() {
    while (!parts.isEmpty()) {
      AutoCloseable part = parts.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed; going on with the rest", part.getClass().getSimpleName(), e);
      }
    }
    closed.countDown();
  }
}
