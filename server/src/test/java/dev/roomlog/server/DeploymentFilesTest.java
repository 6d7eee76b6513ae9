package dev.roomlog.server;

import static dev.roomlog.server.DeploymentChecks.COMPOSE_FILE;
import static dev.roomlog.server.DeploymentChecks.DOCKERFILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.server.DeploymentChecks.Deployment;
import dev.roomlog.systemtest.Checkout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docker-compose.yml, deploy/haproxy.cfg and the Dockerfile agree with the code. No Docker runs in
 * the build, so this reads the files and asks the code: which environment variables each command
 * reads (from picocli's model, {@link RoomlogCli}), and whether each roomlog service's settings are
 * accepted as its command accepts them at start-up. The checks are in {@link DeploymentChecks}; the
 * last test makes sure that they catch the mistakes they are for.
 */
class DeploymentFilesTest {
  private static final String HAPROXY_FILE = "deploy/haproxy.cfg";

  @Test
  void everyServiceHasAnImageOrABuild() {
    assertNoProblems(DeploymentChecks.imagesOrBuilds(deployment()));
  }

  @Test
  void roomlogServicesBuildTheRootDockerfileWhichRunsTheJar() {
    assertNoProblems(DeploymentChecks.roomlogBuilds(deployment()));
  }

  @Test
  void roomlogServicesRunACommandOfRoomlog() {
    assertNoProblems(DeploymentChecks.commands(deployment()));
  }

  @Test
  void roomlogServicesSetOnlyVariablesTheirCommandReads() {
    assertNoProblems(DeploymentChecks.unreadVariables(deployment()));
  }

  @Test
  void roomlogServicesSettingsAreAcceptedByTheirCommand() {
    assertNoProblems(DeploymentChecks.refusedSettings(deployment()));
  }

  @Test
  void threeKafkaNodesFormOneQuorum() {
    assertNoProblems(DeploymentChecks.quorum(deployment()));
  }

  @Test
  void bootstrapServersAreKafkaNodesOnTheirAdvertisedListeners() {
    assertNoProblems(DeploymentChecks.bootstrapServers(deployment()));
  }

  @Test
  void replicationFitsTheBrokers() {
    assertNoProblems(DeploymentChecks.replication(deployment()));
  }

  @Test
  void gatewaysHaveDistinctIds() {
    assertNoProblems(DeploymentChecks.gatewayIds(deployment()));
  }

  @Test
  void processorsShareOneApplicationAndKeepStateOnAVolumeEach() {
    assertNoProblems(DeploymentChecks.processors(deployment()));
  }

  @Test
  void loadBalancerTargetsExactlyTheGatewaysAndChecksTheirHealth() {
    assertNoProblems(DeploymentChecks.loadBalancer(deployment()));
  }

  @Test
  void topicsAreCreatedOnceKafkaIsUpAndBeforeTheRolesStart() {
    assertNoProblems(DeploymentChecks.topicsFirst(deployment()));
  }

  @Test
  void composeVariablesTakeTheirDefaultsAsOnAFirstRun() {
    assertEquals("demo:s3cret", ComposeFile.interpolate("${ROOMLOG_API_KEYS:-demo:s3cret}"));
    assertEquals("", ComposeFile.interpolate("${UNSET_IN_THIS_TEST}"));
    assertEquals("curl :${PORT:-8080}/", ComposeFile.interpolate("curl :$${PORT:-8080}/"));
  }

  /** A mistake in one file: {@code text}, which must be in it, becomes {@code replacement}. */
  record Mistake(
      String description, String file, String text, String replacement, String expected) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Stream<Mistake> mistakes() {
    return Stream.of(
        new Mistake(
            "a misspelt variable",
            COMPOSE_FILE,
            "ROOMLOG_GATEWAY_ID: gateway-2",
            "ROOMLOG_GATEWAY_IDD: gateway-2",
            "gateway-2: sets ROOMLOG_GATEWAY_IDD"),
        new Mistake(
            "a processor's variable on a gateway",
            COMPOSE_FILE,
            "ROOMLOG_GATEWAY_ID: gateway-1",
            "ROOMLOG_GATEWAY_ID: gateway-1\n      ROOMLOG_HISTORY_SIZE: 200",
            "gateway-1: sets ROOMLOG_HISTORY_SIZE"),
        new Mistake(
            "a value the code refuses",
            COMPOSE_FILE,
            "ROOMLOG_PARTITIONS: 6",
            "ROOMLOG_PARTITIONS: six",
            "gateway-1: `roomlog gateway` refuses its settings: Invalid value for option"
                + " '--partitions'"),
        new Mistake(
            "two gateways with one id",
            COMPOSE_FILE,
            "ROOMLOG_GATEWAY_ID: gateway-2",
            "ROOMLOG_GATEWAY_ID: gateway-1",
            "gateway-1, gateway-2: share ROOMLOG_GATEWAY_ID gateway-1"),
        new Mistake(
            "a broker that does not exist",
            COMPOSE_FILE,
            "kafka-2:9092,kafka-3:9092",
            "kafka-2:9092,kafka-4:9092",
            "names kafka-4, which is not a Kafka service"),
        new Mistake(
            "a broker on a port it does not listen on",
            COMPOSE_FILE,
            "kafka-1:9092,kafka-2:9092",
            "kafka-1:9094,kafka-2:9092",
            "names kafka-1:9094, but kafka-1 advertises [PLAINTEXT://kafka-1:9092]"),
        new Mistake(
            "a quorum without one of the nodes",
            COMPOSE_FILE,
            "3@kafka-3:9093",
            "3@kafka-4:9093",
            "kafka-1: KAFKA_CONTROLLER_QUORUM_VOTERS is"),
        new Mistake(
            "more replicas than brokers",
            COMPOSE_FILE,
            "ROOMLOG_REPLICATION_FACTOR: 3",
            "ROOMLOG_REPLICATION_FACTOR: 4",
            "gateway-1: replication factor 4 needs more than the 3 Kafka nodes"),
        new Mistake(
            "processors of two applications",
            COMPOSE_FILE,
            "ROOMLOG_QUERY_HOST: processor-2",
            "ROOMLOG_QUERY_HOST: processor-2\n      ROOMLOG_APPLICATION_ID: another",
            "processors: they share the work only under one ROOMLOG_APPLICATION_ID"),
        new Mistake(
            "two processors on one state volume",
            COMPOSE_FILE,
            "processor-2-state:/var/lib/roomlog",
            "processor-1-state:/var/lib/roomlog",
            "processor-1, processor-2: share the state volume processor-1-state"),
        new Mistake(
            "roles that do not wait for the topics",
            COMPOSE_FILE,
            "service_completed_successfully",
            "service_started",
            "gateway-1: does not wait for topics to complete successfully"),
        new Mistake(
            "a gateway on another port than the load balancer's",
            COMPOSE_FILE,
            "ROOMLOG_PORT: 8080",
            "ROOMLOG_PORT: 8081",
            "lb: server gateway-1 targets port 8080, but gateway-1 listens on 8081"),
        new Mistake(
            "a load balancer on a random host port",
            COMPOSE_FILE,
            "\"${ROOMLOG_LB_PORT:-8080}:8080\"",
            "\"8080\"",
            "lb: publishes no host port"),
        new Mistake(
            "a gateway missing from the load balancer",
            HAPROXY_FILE,
            "  server gateway-2 gateway-2:8080\n",
            "",
            "lb: the backend's servers are [gateway-1], the gateways are [gateway-1, gateway-2]"),
        new Mistake(
            "a health check on the wrong path",
            HAPROXY_FILE,
            "uri /readyz",
            "uri /health",
            "lb: the health check asks for /health"),
        new Mistake(
            "an image that does not run the jar",
            DOCKERFILE,
            "/opt/roomlog/roomlog.jar\"]",
            "/opt/roomlog/app.jar\"]",
            "Dockerfile: its ENTRYPOINT does not run"),
        new Mistake(
            "an offline build", DOCKERFILE, "mvn -B", "mvn -o -B", "Dockerfile: builds offline"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mistakes")
  void theChecksCatchTheMistakesTheyAreFor(Mistake mistake) {
    Deployment deployment = deployment();
    assertTrue(
        deployment.file(mistake.file()).contains(mistake.text()),
        mistake.file() + " should contain '" + mistake.text() + "'");
    Deployment changed = deployment.with(mistake.file(), mistake.text(), mistake.replacement());

    List<String> problems = DeploymentChecks.all(changed);

    assertTrue(
        problems.stream().anyMatch(p -> p.contains(mistake.expected())),
        mistake
            + ": expected a problem containing '"
            + mistake.expected()
            + "', found "
            + problems);
  }

  private static Deployment deployment() {
    Path home = Checkout.root();
    return Deployment.read(
        path -> {
          try {
            Path file = home.resolve(path);
            return Files.exists(file) ? Files.readString(file) : null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static void assertNoProblems(List<String> problems) {
    assertEquals(List.of(), problems, "the deployment files disagree with the code");
  }
}
