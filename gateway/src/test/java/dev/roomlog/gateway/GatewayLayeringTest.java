package dev.roomlog.gateway;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The gateway's layering, checked on its compiled main classes (tests excluded). The policies
 * (limits, handshake and origin policy and the upgrade checks, the obs-fold detector,
 * X-Forwarded-For, IP rules) are plain Java that the Netty handlers call, and the WAL's budget,
 * settlement and queue are plain Java that its Kafka side calls; Kafka is reached through the
 * {@code wal} package (and the management API's control publisher), assembled in the root package.
 * docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class GatewayLayeringTest {

  private static final JavaClasses GATEWAY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.gateway");

  /**
   * The decisions the edge calls, and their nested types: the policies the Netty handlers ask, and
   * the gateway id check's verdict ({@code RecentBeats}), which its Kafka reading feeds.
   */
  private static final String POLICIES =
      "dev\\.roomlog\\.gateway\\."
          + "(handshake\\.(HandshakePolicy|UpgradeChecks|OriginPolicy|ObsFoldDetector|ForwardedFor)"
          + "|ipfilter\\.(Cidr|IpRules)"
          + "|cluster\\.RecentBeats)(\\$.*)?";

  /** The write-ahead log's decisions and bookkeeping, apart from the producer that does the I/O. */
  private static final String WAL_LOGIC =
      "dev\\.roomlog\\.gateway\\.wal\\.(WriteBudget|Settlements|PendingRecord|WalQueue|WriterPace)(\\$.*)?";

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

  static final ArchRule DECISIONS_USE_NEITHER_NETTY_NOR_KAFKA =
      noClasses()
          .that()
          .haveNameMatching(POLICIES)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty..", "org.apache.kafka..")
          .because(
              "the handlers (HandshakeHandler, ObsFoldHandler...) and the Kafka readers"
                  + " (GatewayIdCheck) are thin adapters that hand plain values (headers as"
                  + " strings, addresses, offsets) to these decisions, which are then tested by"
                  + " plain JUnit");

  static final ArchRule WAL_LOGIC_IS_PLAIN_JAVA =
      noClasses()
          .that()
          .haveNameMatching(WAL_LOGIC)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty..", "org.apache.kafka..", "io.micrometer..")
          .because(
              "how logWriteTimeout is split (WriteBudget), answering each append exactly once and"
                  + " counting what is unsettled (Settlements, PendingRecord) and the hand-off to"
                  + " the writer (WalQueue) and admission by the writer's pace (WriterPace) are"
                  + " plain Java over an injected time, tested at their"
                  + " limits without a producer or a registry; the Kafka side (WalSender,"
                  + " WalWriter, DeadlineSweep, WalProducerConfig) turns their answers into sends"
                  + " and Kafka exceptions, and timings reach the metrics through SettleTimer");

  static final ArchRule PRODUCER_ONLY_IN_WAL_AND_ASSEMBLY =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway..")
          .and()
          .resideOutsideOfPackages("dev.roomlog.gateway", "dev.roomlog.gateway.wal..")
          .and()
          .doNotHaveFullyQualifiedName("dev.roomlog.gateway.management.KafkaControlPublisher")
          .and()
          .doNotHaveFullyQualifiedName("dev.roomlog.gateway.management.KafkaWebhookStore")
          .and()
          .doNotHaveFullyQualifiedName("dev.roomlog.gateway.metrics.GatewayMetrics")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.apache.kafka.clients.producer..")
          .because(
              "the write-ahead log is the one way an action reaches Kafka: handlers append"
                  + " through WalAppender, management commands through ControlPublisher, and the"
                  + " root package (Gateway, GatewayServer) builds and closes the producers; GatewayMetrics"
                  + " only reads their meters; KafkaWebhookStore writes the webhook subscriptions"
                  + " (configuration, not actions: they never go through the log)");

  static final ArchRule NO_PROCESSOR_OR_SERVER =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.processor..", "dev.roomlog.server..", "org.apache.kafka.streams..")
          .because(
              "the gateway knows the processor only through the topics and formats in"
                  + " protocol, so each role can be deployed, scaled and tested alone; the"
                  + " server module assembles commands from the roles, never the other way");

  static final ArchRule DELIVERY_ONLY_IN_THE_ENTRY_POINT =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway..")
          .and()
          .doNotHaveFullyQualifiedName("dev.roomlog.gateway.Gateway")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.roomlog.delivery..")
          .because(
              "the delivery consumer is the gateway's inbound half, but the gateway's parts see"
                  + " only what it hands them (ConnectionRegistry::deliver,"
                  + " ConnectionCommands::accept): Gateway alone wires it in, so the Netty side"
                  + " can be tested without Kafka");

  static final ArchRule PACKAGES_FREE_OF_CYCLES =
      slices()
          .matching("dev.roomlog.gateway.(*)..")
          .should()
          .beFreeOfCycles()
          .because(
              "each concern (handshake, limits, connection, wal...) can then be read, tested and"
                  + " changed from the bottom up: a package only ever needs the ones below it");

  static final ArchRule ASSEMBLY_ON_TOP =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway.*..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.roomlog.gateway")
          .because(
              "the root package is the assembly (Gateway, GatewayServer, the pipeline): it uses"
                  + " every concern and no concern uses it, so it is the one place that knows how"
                  + " the parts fit");

  @Test
  void gatewayPackagesAreFreeOfCycles() {
    PACKAGES_FREE_OF_CYCLES.check(GATEWAY);
  }

  @Test
  void noConcernDependsOnTheAssembly() {
    ASSEMBLY_ON_TOP.check(GATEWAY);
  }

  @Test
  void limitsUseNoNettyNoKafkaAndNoOtherGatewayPackage() {
    LIMITS_ARE_PLAIN_JAVA.check(GATEWAY);
  }

  @Test
  void policiesAndVerdictsUseNeitherNettyNorKafka() {
    DECISIONS_USE_NEITHER_NETTY_NOR_KAFKA.check(GATEWAY);
  }

  @Test
  void walBudgetSettlementAndQueueUseNoNettyNoKafkaAndNoMetrics() {
    WAL_LOGIC_IS_PLAIN_JAVA.check(GATEWAY);
  }

  @Test
  void onlyWalManagementPublisherAndAssemblyUseTheKafkaProducer() {
    PRODUCER_ONLY_IN_WAL_AND_ASSEMBLY.check(GATEWAY);
  }

  @Test
  void gatewayDependsOnNeitherProcessorNorServer() {
    NO_PROCESSOR_OR_SERVER.check(GATEWAY);
  }

  @Test
  void onlyTheEntryPointWiresInTheDeliveryConsumer() {
    DELIVERY_ONLY_IN_THE_ENTRY_POINT.check(GATEWAY);
  }
}
