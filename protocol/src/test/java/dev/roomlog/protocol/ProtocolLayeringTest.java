package dev.roomlog.protocol;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The protocol module's layering, checked on its compiled main classes (tests excluded).
 * docs/ARCHITECTURE.md#layering lists every module's rules.
 */
@AnalyzeClasses(packages = "dev.roomlog.protocol", importOptions = ImportOption.DoNotIncludeTests.class)
class ProtocolLayeringTest {

  @ArchTest
  static final ArchRule noNetty =
      noClasses().that().resideInAPackage("dev.roomlog.protocol..")
          .should().dependOnClassesThat().resideInAPackage("io.netty..")
          .because("protocol holds the wire and log formats, shared by all modules; the processor"
              + " and the tools read them without a socket in sight");

  @ArchTest
  static final ArchRule noKafkaStreams =
      noClasses().that().resideInAPackage("dev.roomlog.protocol..")
          .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.streams..")
          .because("protocol is shared by the gateway and delivery, which are plain Kafka"
              + " clients; a Streams type here would drag Kafka Streams into both");

  @ArchTest
  static final ArchRule kafkaOnlyForSerdes =
      noClasses().that().resideInAPackage("dev.roomlog.protocol..")
          .should().dependOnClassesThat(resideInAPackage("org.apache.kafka..")
              .and(not(resideInAnyPackage(
                  "org.apache.kafka.common.serialization..", "org.apache.kafka.common.errors.."))))
          .because("protocol describes topics (Topic<K, V>: a name and its serdes) but never"
              + " reads or writes them: Kafka's Serde types and SerializationException only,"
              + " no producer, consumer or admin client");

  @ArchTest
  static final ArchRule noOtherRoomlogModule =
      noClasses().that().resideInAPackage("dev.roomlog.protocol..")
          .should().dependOnClassesThat().resideInAnyPackage(
              "dev.roomlog.gateway..", "dev.roomlog.processor..", "dev.roomlog.delivery..",
              "dev.roomlog.server..", "dev.roomlog.kafka..", "dev.roomlog.loadtest..")
          .because("protocol is the bottom layer: every module depends on it, so it depends on"
              + " none of them");
}
