package dev.roomlog.loadtest;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The load generator's layering, checked on its compiled main classes (tests excluded). It holds
 * three programs that share a jar and nothing else: the generator (the root package), the bare
 * Netty baseline server ({@code baseline}) and the benchmark report ({@code report}).
 * docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class LoadtestLayeringTest {

  private static final JavaClasses LOADTEST =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.loadtest");

  private static final String GENERATOR = "dev.roomlog.loadtest";
  private static final String BASELINE = "dev.roomlog.loadtest.baseline..";
  private static final String REPORT = "dev.roomlog.loadtest.report..";

  /** The generator's logic and its protocols, which the README promises take no I/O. */
  private static final String PLAIN_JAVA =
      "dev\\.roomlog\\.loadtest\\."
          + "(OpenLoopSchedule|OpenLoopSender|MessageLedger|MessageText|RoomPlan|SourceAddresses"
          + "|ChatProtocol|RoomlogProtocol|SocketIoProtocol|ProtocolRegistry)(\\$.*)?";

  static final ArchRule ONLY_FROM_OUTSIDE =
      noClasses()
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.roomlog..")
                  .and(not(resideInAPackage("dev.roomlog.loadtest.."))))
          .orShould()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.kafka..")
          .because(
              "the generator reaches a server under test only as any client would, over its"
                  + " sockets and its documented wire protocol (RoomlogProtocol writes the frames"
                  + " of docs/PROTOCOL.md itself), never through Roomlog's classes or its Kafka:"
                  + " sharing protocol's classes would hide a change to the wire format from the"
                  + " measurement, and the same generator must drive the baselines, which have no"
                  + " Roomlog inside");

  static final ArchRule GENERATOR_STANDS_ALONE =
      noClasses()
          .that()
          .resideInAPackage(GENERATOR)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(BASELINE, REPORT)
          .because(
              "the baseline server is the other side of a comparison and the report reads result"
                  + " files: a generator that used either would change what it measures when"
                  + " they change");

  static final ArchRule BASELINE_SHARES_NOTHING_WITH_THE_GENERATOR =
      noClasses()
          .that()
          .resideInAPackage(BASELINE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(GENERATOR, REPORT)
          .because(
              "the bare broadcast server is measured by the generator: code shared between the"
                  + " two would let one change move both sides of the comparison");

  static final ArchRule REPORT_READS_ONLY_RESULT_FILES =
      noClasses()
          .that()
          .resideInAPackage(REPORT)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(GENERATOR, BASELINE, "io.netty..")
          .because(
              "the report is written from bench/run.sh's result files (JSON, in the schema"
                  + " loadtest/README.md documents), never from the generator's classes, so that"
                  + " results of an older run still make a report; it opens no socket");

  static final ArchRule LOGIC_AND_PROTOCOLS_USE_NO_NETTY =
      noClasses()
          .that()
          .haveNameMatching(PLAIN_JAVA)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.netty..")
          .because(
              "the schedule, the sender, the ledger and the ChatProtocols are plain Java over"
                  + " strings and a hand-driven clock (a ChatProtocol is 'no I/O, thread-safe'):"
                  + " they are tested without a channel, and a server under test is added as one"
                  + " class that never sees Netty");

  @Test
  void reachesTheSystemOnlyOverItsSocketsAndWireProtocol() {
    ONLY_FROM_OUTSIDE.check(LOADTEST);
  }

  @Test
  void generatorUsesNeitherTheBaselineNorTheReport() {
    GENERATOR_STANDS_ALONE.check(LOADTEST);
  }

  @Test
  void baselineServerUsesNothingOfTheGeneratorOrTheReport() {
    BASELINE_SHARES_NOTHING_WITH_THE_GENERATOR.check(LOADTEST);
  }

  @Test
  void reportUsesNeitherTheGeneratorNorTheBaselineNorNetty() {
    REPORT_READS_ONLY_RESULT_FILES.check(LOADTEST);
  }

  @Test
  void pureLogicAndChatProtocolsUseNoNetty() {
    LOGIC_AND_PROTOCOLS_USE_NO_NETTY.check(LOADTEST);
  }
}
