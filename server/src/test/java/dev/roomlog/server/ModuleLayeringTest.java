package dev.roomlog.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.roomlog.gateway.Gateway;
import dev.roomlog.gateway.auth.UserTokens;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.gateway.settings.AwsAccessKey;
import dev.roomlog.gateway.settings.GatewaySettings;
import org.junit.jupiter.api.Test;

/**
 * The layering of the modules as a whole, checked here because the server is the one module whose
 * classpath holds all the others (their main classes; tests excluded) and the system test kit. Each
 * module's own {@code *LayeringTest} checks its insides; docs/ARCHITECTURE.md#layering lists them
 * all.
 */
class ModuleLayeringTest {

  private static final JavaClasses ROOMLOG =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog");

  static final ArchRule MODULE_LAYERS =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("Protocol")
          .definedBy("dev.roomlog.protocol..")
          .layer("Processor")
          .definedBy("dev.roomlog.processor..")
          .layer("Delivery")
          .definedBy("dev.roomlog.delivery..")
          .layer("Gateway")
          .definedBy("dev.roomlog.gateway..")
          .layer("Integrations")
          .definedBy("dev.roomlog.integrations..")
          .layer("EmbeddedKafka")
          .definedBy("dev.roomlog.kafka..")
          .layer("Server")
          .definedBy("dev.roomlog.server..")
          .whereLayer("Server")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("Processor")
          .mayOnlyBeAccessedByLayers("Server")
          .whereLayer("Delivery")
          .mayOnlyBeAccessedByLayers("Gateway")
          .whereLayer("Gateway")
          .mayOnlyBeAccessedByLayers("Server")
          .whereLayer("Integrations")
          .mayOnlyBeAccessedByLayers("Server")
          .whereLayer("EmbeddedKafka")
          .mayOnlyBeAccessedByLayers("Server")
          .whereLayer("Protocol")
          .mayNotAccessAnyLayer()
          .because(
              "protocol (wire and log formats) is shared by all and depends on none; the"
                  + " roles (gateway, room processor, integrations) know each other only through the topics"
                  + " and formats in protocol; delivery is the gateway's inbound half, wired in"
                  + " by the gateway's own entry point (Gateway); the server alone assembles the"
                  + " roles (and the embedded broker) into the roomlog command");

  /**
   * Java has no visibility between "public" and "package-private" short of JPMS modules, and the
   * gateway's packages by concern need public classes to see each other. So what the gateway offers
   * the rest of Roomlog is stated here and checked instead.
   */
  static final ArchRule GATEWAY_API =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.roomlog.gateway..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.roomlog.gateway..")
                  .and(
                      not(
                          belongToAnyOf(
                              Gateway.class,
                              GatewaySettings.class,
                              GatewaySettings.Builder.class,
                              ApiKey.class,
                              AwsAccessKey.class,
                              UserTokens.class))))
          .because(
              "a gateway node is started through Gateway alone, from GatewaySettings (whose"
                  + " values include ApiKeys and AwsAccessKeys); its parts are its own to rearrange. UserTokens is"
                  + " the one signer of dev tokens: `roomlog token` and the dev chat page must"
                  + " make the same tokens the gateway checks");

  @Test
  void otherModulesUseOnlyTheGatewaysEntryPointAndSettings() {
    GATEWAY_API.check(ROOMLOG);
  }

  static final ArchRule NOTHING_BUT_TESTS_USES_THE_SYSTEM_TEST_KIT =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.roomlog.systemtest..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.roomlog.systemtest..")
          .because(
              "the system test kit (system-test-kit/) starts, signals and kills processes and"
                  + " judges histories for tests; it is on the test classpath only, and main code"
                  + " that reached it would ship test machinery in the roomlog jar");

  static final ArchRule THE_SYSTEM_TEST_KIT_DRIVES_ROOMLOG_FROM_OUTSIDE =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.systemtest..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.gateway..",
              "dev.roomlog.processor..",
              "dev.roomlog.delivery..",
              "dev.roomlog.integrations..",
              "dev.roomlog.server..")
          .because(
              "the kit reaches Roomlog as its users do, through sockets, processes and topics"
                  + " (protocol names them); a kit that reached into a role would let a system"
                  + " test pass on the role's internals, and would tie the kit to the modules it"
                  + " is built before");

  @Test
  void onlyTheServerDependsOnTheRolesAndProtocolDependsOnNone() {
    MODULE_LAYERS.check(ROOMLOG);
  }

  @Test
  void noMainCodeDependsOnTheSystemTestKit() {
    NOTHING_BUT_TESTS_USES_THE_SYSTEM_TEST_KIT.check(ROOMLOG);
  }

  @Test
  void theSystemTestKitDependsOnNoRole() {
    THE_SYSTEM_TEST_KIT_DRIVES_ROOMLOG_FROM_OUTSIDE.check(ROOMLOG);
  }
}
