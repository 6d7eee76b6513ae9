package dev.roomlog.gateway;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The gateway's layering, checked on its compiled main classes (tests excluded). The policies
 * (limits, handshake and origin policy and the upgrade checks, the obs-fold detector,
 * X-Forwarded-For, IP rules) are plain Java that the Netty handlers call; Kafka is reached through
 * the {@code wal} package (and the management API's control publisher), assembled in the root
 * package. docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class GatewayLayeringTest {

  private static final JavaClasses GATEWAY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.gateway");

  /** The policies the Netty handlers call, and their nested types. */
  private static final String POLICIES =
      "dev\\.roomlog\\.gateway\\."
          + "(handshake\\.(HandshakePolicy|UpgradeChecks|OriginPolicy|ObsFoldDetector|ForwardedFor)"
          + "|ipfilter\\.(Cidr|IpRules))(\\$.*)?";

  static final ArchRule LIMITS_ARE_PLAIN_JAVA =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway.limits..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty..", "org.apache.kafka..")
          .orShould()
          .dependOnClassesThat(
              resideInAPackage("dev.roomlog.gateway..")
                  .and(not(resideInAPackage("dev.roomlog.gateway.limits.."))))
          .because(
              "rate limits and budgets are counters over an injected clock: a newcomer finds"
                  + " every limit in one folder, and each is tested at and past its limit without a"
                  + " channel or a broker");

  static final ArchRule POLICIES_USE_NO_NETTY =
      noClasses()
          .that()
          .haveNameMatching(POLICIES)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.netty..")
          .because(
              "the handlers (HandshakeHandler, ObsFoldHandler...) are thin Netty adapters"
                  + " that hand plain values (headers as strings, addresses) to these policies, which"
                  + " are then tested by plain JUnit");

  static final ArchRule PRODUCER_ONLY_IN_WAL_AND_ASSEMBLY =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway..")
          .and()
          .resideOutsideOfPackages("dev.roomlog.gateway", "dev.roomlog.gateway.wal..")
          .and()
          .doNotHaveFullyQualifiedName("dev.roomlog.gateway.management.KafkaControlPublisher")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.kafka.clients.producer..")
          .because(
              "the write-ahead log is the one way an action reaches Kafka: handlers append"
                  + " through WalAppender, management commands through ControlPublisher, and the"
                  + " root package (GatewayServer, GatewayMetrics) builds and closes the producers");

  static final ArchRule NO_PROCESSOR_DELIVERY_OR_SERVER =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.processor..",
              "dev.roomlog.delivery..",
              "dev.roomlog.server..",
              "org.apache.kafka.streams..")
          .because(
              "the gateway knows the processor and delivery only through the topics and"
                  + " formats in protocol; the server wires delivery into the gateway's"
                  + " ConnectionRegistry, so each role can be deployed, scaled and tested alone");

  @Test
  void limitsUseNoNettyNoKafkaAndNoOtherGatewayPackage() {
    LIMITS_ARE_PLAIN_JAVA.check(GATEWAY);
  }

  @Test
  void handshakeAndIpPoliciesUseNoNetty() {
    POLICIES_USE_NO_NETTY.check(GATEWAY);
  }

  @Test
  void onlyWalManagementPublisherAndAssemblyUseTheKafkaProducer() {
    PRODUCER_ONLY_IN_WAL_AND_ASSEMBLY.check(GATEWAY);
  }

  @Test
  void gatewayDependsOnNeitherProcessorNorDeliveryNorServer() {
    NO_PROCESSOR_DELIVERY_OR_SERVER.check(GATEWAY);
  }
}
