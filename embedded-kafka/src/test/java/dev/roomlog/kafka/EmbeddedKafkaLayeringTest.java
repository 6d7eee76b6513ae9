package dev.roomlog.kafka;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker's layering, checked on its compiled main classes (tests excluded).
 * docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class EmbeddedKafkaLayeringTest {

  private static final JavaClasses EMBEDDED_KAFKA =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.kafka");

  static final ArchRule KNOWS_NOTHING_OF_ROOMLOG =
      noClasses()
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.roomlog..").and(not(resideInAPackage("dev.roomlog.kafka.."))))
          .because(
              "the embedded broker is a plain KRaft broker for `roomlog dev` and the tests: it"
                  + " knows no Roomlog topic or format (the server provisions the topics), so any"
                  + " module's tests can start one without pulling in a role");

  static final ArchRule ONLY_RUNS_A_BROKER =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka.clients.producer..",
              "org.apache.kafka.clients.consumer..",
              "org.apache.kafka.streams..")
          .because(
              "it starts and stops a broker; writing, reading and creating topics are its"
                  + " callers' business, with their own clients and settings");

  @Test
  void usesNoOtherRoomlogModule() {
    KNOWS_NOTHING_OF_ROOMLOG.check(EMBEDDED_KAFKA);
  }

  @Test
  void usesNoProducerConsumerOrStreams() {
    ONLY_RUNS_A_BROKER.check(EMBEDDED_KAFKA);
  }
}
