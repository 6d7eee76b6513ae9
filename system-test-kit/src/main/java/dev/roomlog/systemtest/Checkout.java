package dev.roomlog.systemtest;

import java.nio.file.Path;

/**
 * The checkout's root, where bin/, tools/ and the modules' target/ directories are: the jars and
 * scripts the system tests start are found from here.
 */
public final class Checkout {
  private Checkout() {}

  /**
   * The {@code roomlog.home} system property (failsafe sets it to the root of the build), else the
   * parent of the working directory: surefire runs a module's tests in the module's directory.
   */
  public static Path root() {
    String home = System.getProperty("roomlog.home");
    return home != null ? Path.of(home) : Path.of("..").toAbsolutePath().normalize();
  }
}
