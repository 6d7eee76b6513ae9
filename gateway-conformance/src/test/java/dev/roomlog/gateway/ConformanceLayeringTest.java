package dev.roomlog.gateway;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.roomlog.gateway.settings.GatewaySettings;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The conformance echo server's layering, checked on this module's compiled classes only (imported
 * from its own test-classes directory). They sit in the gateway's root package so that they can
 * call its package-private pipeline builder; these rules keep that borrowed access to the one thing
 * it is for. docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class ConformanceLayeringTest {

  private static final JavaClasses CONFORMANCE =
      new ClassFileImporter()
          .importUrl(AutobahnEchoServer.class.getProtectionDomain().getCodeSource().getLocation());

  private static final Set<String> OWN =
      CONFORMANCE.stream().map(JavaClass::getName).collect(Collectors.toSet());

  /** The gateway's classes, as opposed to this module's, which share their package. */
  private static final DescribedPredicate<JavaClass> GATEWAY_CLASS =
      resideInAPackage("dev.roomlog.gateway..")
          .and(
              DescribedPredicate.describe(
                  "not of this module",
                  // An array of this module's type (an enum's values()) is this module's too.
                  c -> !OWN.contains(c.getBaseComponentType().getName())));

  /** What the echo server may use of the gateway: its settings and its pipeline builder. */
  private static final DescribedPredicate<JavaClass> EDGE =
      DescribedPredicate.describe(
          "GatewayInitializer or GatewaySettings",
          c ->
              c.getName().equals(GatewayInitializer.class.getName())
                  || c.getName().equals(GatewaySettings.class.getName())
                  || c.getName().startsWith(GatewaySettings.class.getName() + "$"));

  static final ArchRule ONLY_THE_PIPELINE_BUILDER_AND_SETTINGS =
      noClasses()
          .should()
          .dependOnClassesThat(GATEWAY_CLASS.and(not(EDGE)))
          .because(
              "the suite tests the gateway's own WebSocket codec, limits and close codes as"
                  + " GatewayInitializer builds them for every connection, with the echo handler"
                  + " where ActionFrameHandler stands; reaching into connection/, handshake/, wal/"
                  + " or the rest would test a copy of the gateway, or couple the suite to its"
                  + " insides");

  static final ArchRule BORROWS_ONLY_THE_CODEC_METHODS =
      noClasses()
          .should()
          .callMethodWhere(
              DescribedPredicate.describe(
                  "a GatewayInitializer method other than addWebSocketCodec and webSocketConfig",
                  (JavaMethodCall call) ->
                      call.getTargetOwner().getName().equals(GatewayInitializer.class.getName())
                          && !Set.of("addWebSocketCodec", "webSocketConfig")
                              .contains(call.getName())))
          .because(
              "sharing the gateway's package gives this module its package-private methods; the"
                  + " two that build the WebSocket codec are the ones the gateway itself uses for"
                  + " every connection, and so the ones the suite must exercise, and nothing else");

  @Test
  void echoServerUsesOnlyThePipelineBuilderAndSettingsOfTheGateway() {
    ONLY_THE_PIPELINE_BUILDER_AND_SETTINGS.check(CONFORMANCE);
  }

  @Test
  void echoServerCallsOnlyTheCodecMethodsOfGatewayInitializer() {
    BORROWS_ONLY_THE_CODEC_METHODS.check(CONFORMANCE);
  }
}
