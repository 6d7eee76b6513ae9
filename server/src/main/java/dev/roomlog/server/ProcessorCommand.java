package dev.roomlog.server;

import dev.roomlog.processor.RoomProcessor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code roomlog processor}: one room processor instance against a cluster. */
@Command(
    name = "processor",
    mixinStandardHelpOptions = true,
    description = "Runs one room processor (Kafka Streams, exactly-once) against a Kafka cluster. Start several with the same --application-id to share the work.")
final class ProcessorCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin ProcessorOptions processor;

  @Option(
      names = "--state-dir",
      defaultValue = "${env:ROOMLOG_STATE_DIR:-roomlog-data/streams}",
      description = "Local state of the processor, rebuilt from Kafka if lost (env ROOMLOG_STATE_DIR; default ${DEFAULT-VALUE}).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    kafka.validate();
    TopicProvisioner.ensureTopics(kafka.bootstrapServers, kafka.layout());
    Stack stack = new Stack();
    RoomProcessor rooms =
        stack.push(
            new RoomProcessor(
                processor.settings(
                    kafka.bootstrapServers, stateDir, kafka.topics(), kafka.replicationFactor),
                FatalExit.exitProcess("Roomlog processor")));
    try {
      rooms.start();
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    System.out.println("Roomlog processor started against " + kafka.bootstrapServers);
    stack.runUntilShutdown("Roomlog processor");
    return 0;
  }
}
