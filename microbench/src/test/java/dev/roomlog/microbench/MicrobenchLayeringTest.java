package dev.roomlog.microbench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The microbenchmarks' layering, checked on this module's compiled main classes only (imported from
 * its own classes directory: the role modules it measures share its package names). JMH's generated
 * harness ({@code jmh_generated}) is left out: it is JMH's code, not ours.
 * docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class MicrobenchLayeringTest {

  private static final JavaClasses MICROBENCH =
      new ClassFileImporter()
          .importUrl(Samples.class.getProtectionDomain().getCodeSource().getLocation());

  private static final String GENERATED = "..jmh_generated..";

  static final ArchRule NOTHING_OUTSIDE_THE_JVM =
      noClasses()
          .that()
          .resideOutsideOfPackage(GENERATED)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka.clients..",
              "io.netty.bootstrap..",
              "io.netty.channel.socket..",
              "java.nio.channels..",
              "java.nio.file..")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.apache.kafka.streams.KafkaStreams")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("org.apache.kafka.streams.TopologyTestDriver")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.net.Socket")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.net.ServerSocket")
          .because(
              "a microbenchmark measures the CPU work of one stage on one thread: no broker, no"
                  + " socket, no file (microbench/README.md); the system with Kafka and sockets in"
                  + " the loop is the loadtest's to measure");

  static final ArchRule PUBLIC_BENCHMARKS_USE_NO_ROLE =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.microbench..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.gateway..",
              "dev.roomlog.processor..",
              "dev.roomlog.delivery..",
              "dev.roomlog.server..")
          .because(
              "dev.roomlog.microbench holds the benchmarks of protocol's public API and the"
                  + " shared samples; a benchmark of a role's internals sits in that role's"
                  + " package, where the README's table names it");

  static final ArchRule PROCESSOR_BENCHMARKS_USE_NO_OTHER_ROLE =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.processor..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.gateway..", "dev.roomlog.delivery..", "dev.roomlog.server..")
          .because(
              "each benchmark measures one stage of one role; a benchmark that needed two roles"
                  + " would be measuring their assembly, which the loadtest does end to end");

  static final ArchRule GATEWAY_BENCHMARKS_USE_NO_OTHER_ROLE =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.gateway..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.processor..", "dev.roomlog.delivery..", "dev.roomlog.server..")
          .because(
              "each benchmark measures one stage of one role; a benchmark that needed two roles"
                  + " would be measuring their assembly, which the loadtest does end to end");

  static final ArchRule ONLY_BENCHMARKS_BORROW_A_ROLES_PACKAGE =
      classes()
          .that()
          .resideOutsideOfPackage("dev.roomlog.microbench..")
          .and()
          .resideOutsideOfPackage(GENERATED)
          .and()
          .areTopLevelClasses()
          .should()
          .haveSimpleNameEndingWith("Benchmark")
          .because(
              "a class in a role's package (dev.roomlog.processor, dev.roomlog.gateway.connection)"
                  + " reaches that role's package-private internals; only a benchmark, whose row"
                  + " in microbench/README.md says what it measures, may borrow that access, never"
                  + " a helper that other code could call");

  @Test
  void nothingReachesOutsideTheJvm() {
    NOTHING_OUTSIDE_THE_JVM.check(MICROBENCH);
  }

  @Test
  void benchmarksOfPublicApiUseNoRoleModule() {
    PUBLIC_BENCHMARKS_USE_NO_ROLE.check(MICROBENCH);
  }

  @Test
  void processorBenchmarksUseNoOtherRole() {
    PROCESSOR_BENCHMARKS_USE_NO_OTHER_ROLE.check(MICROBENCH);
  }

  @Test
  void gatewayBenchmarksUseNoOtherRole() {
    GATEWAY_BENCHMARKS_USE_NO_OTHER_ROLE.check(MICROBENCH);
  }

  @Test
  void onlyBenchmarksSitInARolesPackage() {
    ONLY_BENCHMARKS_BORROW_A_ROLES_PACKAGE.check(MICROBENCH);
  }
}
