package dev.roomlog.integrations;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The integrations module's layering, checked on its compiled main classes (tests excluded).
 * docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class IntegrationsLayeringTest {
  private static final JavaClasses INTEGRATIONS =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.integrations");

  /** The decisions and the bookkeeping: plain Java, tested without a broker or a socket. */
  private static final String DECISIONS =
      "dev\\.roomlog\\.integrations\\.(Backoff|RetryDecider|Outcome|Answer|Call|Offsets|Lane|Item"
          + "|Dispatcher|Subscriptions|WebhookCalls|Signatures|RoomOccupancy|Source"
          + "|Targets|RouteCalls)"
          + "(\\$.*)?";

  static final ArchRule DECISIONS_HAVE_NO_IO =
      noClasses()
          .that()
          .haveNameMatching(DECISIONS)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..", "java.net.http..")
          .because(
              "what to do with an answer, the backoff, the order of each room's calls and the"
                  + " offsets are decided in plain Java with an injected clock (unit-tested);"
                  + " Kafka stays in IntegrationsLoop and Integrations, HTTP in HttpCaller");

  static final ArchRule NO_OTHER_ROLE =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.integrations..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.gateway..",
              "dev.roomlog.processor..",
              "dev.roomlog.delivery..",
              "dev.roomlog.server..",
              "io.netty..",
              "org.apache.kafka.streams..")
          .because(
              "the worker knows the other roles only through the topics and formats in protocol");

  @Test
  void decisionsHaveNoIo() {
    DECISIONS_HAVE_NO_IO.check(INTEGRATIONS);
  }

  @Test
  void usesNoOtherRole() {
    NO_OTHER_ROLE.check(INTEGRATIONS);
  }
}
