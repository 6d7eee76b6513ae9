package dev.roomlog.protocol;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The protocol module's layering, checked on its compiled main classes (tests excluded). Plain
 * Jupiter tests calling ArchUnit's {@code check}, so a broken rule fails the build like any other
 * test. docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class ProtocolLayeringTest {

  private static final JavaClasses PROTOCOL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.protocol");

  static final ArchRule NO_NETTY =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.netty..")
          .because(
              "protocol holds the wire and log formats, shared by all modules; the processor"
                  + " and the tools read them without a socket in sight");

  static final ArchRule NO_KAFKA_STREAMS =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.kafka.streams..")
          .because(
              "protocol is shared by the gateway and delivery, which are plain Kafka"
                  + " clients; a Streams type here would drag Kafka Streams into both");

  static final ArchRule KAFKA_ONLY_FOR_SERDES =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.protocol..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("org.apache.kafka..")
                  .and(
                      not(
                          resideInAnyPackage(
                              "org.apache.kafka.common.serialization..",
                              "org.apache.kafka.common.errors.."))))
          .because(
              "protocol describes topics (Topic<K, V>: a name and its serdes) but never"
                  + " reads or writes them: Kafka's Serde types and SerializationException only,"
                  + " no producer, consumer or admin client");

  static final ArchRule NO_OTHER_ROOMLOG_MODULE =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.gateway..",
              "dev.roomlog.processor..",
              "dev.roomlog.delivery..",
              "dev.roomlog.server..",
              "dev.roomlog.kafka..",
              "dev.roomlog.loadtest..")
          .because(
              "protocol is the bottom layer: every module depends on it, so it depends on"
                  + " none of them");

  @Test
  void protocolUsesNoNetty() {
    NO_NETTY.check(PROTOCOL);
  }

  @Test
  void protocolUsesNoKafkaStreams() {
    NO_KAFKA_STREAMS.check(PROTOCOL);
  }

  @Test
  void protocolUsesKafkaOnlyForSerdes() {
    KAFKA_ONLY_FOR_SERDES.check(PROTOCOL);
  }

  @Test
  void protocolDependsOnNoOtherRoomlogModule() {
    NO_OTHER_ROOMLOG_MODULE.check(PROTOCOL);
  }
}
