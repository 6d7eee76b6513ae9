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
