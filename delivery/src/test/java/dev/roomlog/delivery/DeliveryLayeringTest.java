package dev.roomlog.delivery;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The delivery module's layering, checked on its compiled main classes (tests excluded).
 * docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class DeliveryLayeringTest {

  private static final JavaClasses DELIVERY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.delivery");

  /** The parts of the consumer that are plain state, with no I/O of their own. */
  private static final String PURE =
      "dev\\.roomlog\\.delivery\\.(DeliveryCounts|StopSignal)(\\$.*)?";

  static final ArchRule PURE_PARTS_HAVE_NO_KAFKA_OR_METRICS =
      noClasses()
          .that()
          .haveNameMatching(PURE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..", "io.micrometer..")
          .because(
              "the record counts and the stop signal are plain state shared by the consumer's"
                  + " thread and its owner, tested without a broker; Kafka stays in the loop's"
                  + " edge (DeliveryLoop, EndOfPartition, RecordDispatcher) and meters in"
                  + " DeliveryMetrics, which reads the counts");

  static final ArchRule NO_GATEWAY =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.delivery..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.roomlog.gateway..")
          .because(
              "delivery hands frames to a ConnectionSink (connection ids + encoded frame);"
                  + " the server wires the gateway's ConnectionRegistry into it, so either side can"
                  + " be tested without the other (docs/ARCHITECTURE.md)");

  static final ArchRule NO_NETTY =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.delivery..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.netty..")
          .because(
              "writing to sockets is the gateway's; delivery only routes encoded frames to"
                  + " a ConnectionSink");

  static final ArchRule NO_PROCESSOR_OR_SERVER =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.delivery..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.processor..", "dev.roomlog.server..", "org.apache.kafka.streams..")
          .because(
              "delivery is a plain consumer of roomlog.deliveries; it knows the processor"
                  + " only through the Delivery format in protocol");

  @Test
  void pureClassesUseNoKafkaAndNoMetrics() {
    PURE_PARTS_HAVE_NO_KAFKA_OR_METRICS.check(DELIVERY);
  }

  @Test
  void deliveryDoesNotDependOnGateway() {
    NO_GATEWAY.check(DELIVERY);
  }

  @Test
  void deliveryUsesNoNetty() {
    NO_NETTY.check(DELIVERY);
  }

  @Test
  void deliveryDependsOnNeitherProcessorNorServerNorKafkaStreams() {
    NO_PROCESSOR_OR_SERVER.check(DELIVERY);
  }
}
