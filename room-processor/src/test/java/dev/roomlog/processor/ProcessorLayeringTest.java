package dev.roomlog.processor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The room processor's layering, checked on its compiled main classes (tests excluded). The pure
 * classes are the ones the README names as plain Java: the room rules and what they return, the
 * dedup and liveness rules, and the query parsing and page merging. Not among them: {@code
 * DeadLetters} (it writes the reason into Kafka record headers, so it is the edge, with {@code
 * RoomStage}) and {@code DeliveryRouting} (it returns Kafka Streams {@code KeyValue}s for the
 * topology). docs/ARCHITECTURE.md#layering lists every module's rules.
 */
class ProcessorLayeringTest {

  private static final JavaClasses PROCESSOR =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.roomlog.processor");

  /** The pure classes and their nested types ({@code RoomLogic$Result}...). */
  private static final String PURE =
      "dev\\.roomlog\\.processor\\."
          + "(RoomLogic|Idempotency|GatewayLiveness|Decision|Reply|Recipient|RoomState|MemberList"
          + "|RecentEvents|FrameJson"
          + "|query\\.QueryRequest|query\\.RoomPage)(\\$.*)?";

  static final ArchRule PURE_LOGIC_HAS_NO_KAFKA_NETTY_OR_METRICS =
      noClasses()
          .that()
          .haveNameMatching(PURE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..", "io.netty..", "io.micrometer..")
          .because(
              "the room rules are decide(state, action) -> events + replies and"
                  + " apply(state, event) -> state, tested by plain JUnit and replayable; Kafka,"
                  + " sockets and metrics stay at the edge (RoomStage, RoomTopology, DeadLetters)");

  static final ArchRule PURE_LOGIC_READS_NO_CLOCK =
      noClasses()
          .that()
          .haveNameMatching(PURE)
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(Instant.class, "now")
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Clock.class)
          .because(
              "time is the record's requestTimeEpoch, never the processor's clock: a replay"
                  + " or a catch-up must decide exactly what was decided the first time");

  static final ArchRule NO_NETTY =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.processor..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.netty..")
          .because(
              "the processor talks to Kafka and its own JDK HTTP query port only; sockets"
                  + " to clients are the gateway's");

  static final ArchRule NO_GATEWAY_DELIVERY_OR_SERVER =
      noClasses()
          .that()
          .resideInAPackage("dev.roomlog.processor..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.roomlog.gateway..", "dev.roomlog.delivery..", "dev.roomlog.server..")
          .because(
              "the processor reads the log and writes events and deliveries; it knows the"
                  + " other roles only through the topics and formats in protocol, so each role"
                  + " can be deployed, scaled and tested alone");

  @Test
  void pureLogicUsesNoKafkaNettyOrMetrics() {
    PURE_LOGIC_HAS_NO_KAFKA_NETTY_OR_METRICS.check(PROCESSOR);
  }

  @Test
  void pureLogicReadsNoClock() {
    PURE_LOGIC_READS_NO_CLOCK.check(PROCESSOR);
  }

  @Test
  void processorUsesNoNetty() {
    NO_NETTY.check(PROCESSOR);
  }

  @Test
  void processorDependsOnNeitherGatewayNorDeliveryNorServer() {
    NO_GATEWAY_DELIVERY_OR_SERVER.check(PROCESSOR);
  }
}
