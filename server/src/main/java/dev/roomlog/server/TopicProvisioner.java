package dev.roomlog.server;

import dev.roomlog.protocol.TopicSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Roomlog's topics when they are missing, as the {@link TopicLayout} says, and checks that
 * the cluster's topics match it. Every role does both at start-up, so a deployment whose topics
 * were made by hand, widened, or made for other settings is refused with the reason instead of
 * misrouting records. Existing topics are never altered: that is the operator's call.
 */
final class TopicProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 30;

  private TopicProvisioner() {}

  /** Test and tool shorthand: the default min.insync.replicas, room-events kept forever. */
  static void ensureTopics(
      String bootstrapServers, TopicSet topics, int partitions, short replicationFactor) {
    ensureTopics(bootstrapServers, TopicLayout.of(topics, partitions, replicationFactor, -1));
  }

  /**
   * Creates the missing topics, then checks them all.
   *
   * @throws TopicMismatchException if a topic differs from the layout
   * @throws IllegalStateException if Kafka cannot be reached or refuses the creation
   */
  static void ensureTopics(String bootstrapServers, TopicLayout layout) {
    withAdmin(
        bootstrapServers,
        admin -> {
          List<String> created = new ArrayList<>();
          List<String> madeByAnother = new ArrayList<>();
          createMissing(admin, layout, created, madeByAnother);
          List<String> wanted = new ArrayList<>(created);
          wanted.addAll(madeByAnother);
          awaitVisible(admin, wanted);
          created.forEach(
              name ->
                  LOG.info(
                      "Created topic {} ({} partitions, replication factor {}, min.insync.replicas {})",
                      name,
                      layout.wanted().stream()
                          .filter(w -> w.name().equals(name))
                          .mapToInt(TopicLayout.Wanted::partitions)
                          .findFirst()
                          .orElse(layout.partitions()),
                      layout.replicationFactor(),
                      layout.minInsyncReplicas()));
          throwIfMismatched(bootstrapServers, check(admin, layout));
          return null;
        });
  }

  /** The problems of the cluster's topics against the layout; empty when they all match. */
  static List<String> check(String bootstrapServers, TopicLayout layout) {
    return withAdmin(bootstrapServers, admin -> check(admin, layout));
  }

  static void throwIfMismatched(String bootstrapServers, List<String> problems) {
    if (!problems.isEmpty()) {
      throw new TopicMismatchException(bootstrapServers, problems);
    }
  }

  /** The topics of the layout, as the cluster has them now; missing ones are left out. */
  static Map<String, TopicCheck.Actual> describe(String bootstrapServers, TopicLayout layout) {
    return withAdmin(bootstrapServers, admin -> describe(admin, names(layout)));
  }

  /**
   * Creates the layout's missing topics: those it made go in {@code created}, those another node
   * made first (a race at first start) in {@code madeByAnother}.
   */
  private static void createMissing(
      Admin admin, TopicLayout layout, List<String> created, List<String> madeByAnother)
      throws Exception {
    Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<NewTopic> missing = new ArrayList<>();
    for (TopicLayout.Wanted topic : layout.wanted()) {
      if (!existing.contains(topic.name())) {
        missing.add(
            new NewTopic(topic.name(), topic.partitions(), topic.replicationFactor())
                .configs(topic.createConfigs()));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    admin
        .createTopics(missing)
        .values()
        .forEach(
            (name, future) -> {
              try {
                future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                created.add(name);
              } catch (ExecutionException e) {
                // Another node may have created it between our list and our create; the check
                // that follows judges the topic whoever made it.
                if (!(e.getCause() instanceof TopicExistsException)) {
                  throw new IllegalStateException(
                      "cannot create topic " + name + ": " + e.getCause().getMessage(), e);
                }
                madeByAnother.add(name);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating " + name, e);
              } catch (TimeoutException e) {
                throw new IllegalStateException(
                    "Kafka did not create " + name + " within " + TIMEOUT_SECONDS + " s", e);
              }
            });
  }

  /**
   * Waits until topics just created show in the cluster's metadata: the broker that answers the
   * next request may not have them yet (CI met it: a check right after the creation found them
   * missing).
   */
  private static void awaitVisible(Admin admin, List<String> names) {
    Readiness.await(
        "topics " + names + " in the cluster's metadata",
        () -> listTopics(admin).containsAll(names),
        Duration.ofSeconds(TIMEOUT_SECONDS));
  }

  private static Set<String> listTopics(Admin admin) {
    try {
      return admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list the cluster's topics: " + e, e);
    }
  }

  private static List<String> check(Admin admin, TopicLayout layout) throws Exception {
    Map<String, TopicCheck.Actual> actual = describe(admin, names(layout));
    List<String> problems = new ArrayList<>();
    for (TopicLayout.Wanted wanted : layout.wanted()) {
      TopicCheck.Actual topic = actual.get(wanted.name());
      if (topic == null) {
        problems.add(
            wanted.name()
                + " ("
                + wanted.role()
                + ") does not exist: run `roomlog topics create`.");
      } else {
        problems.addAll(TopicCheck.problems(wanted, topic));
      }
    }
    return problems;
  }

  private static Map<String, TopicCheck.Actual> describe(Admin admin, List<String> names)
      throws Exception {
    Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<String> present = names.stream().filter(existing::contains).toList();
    Map<String, TopicDescription> descriptions =
        admin.describeTopics(present).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<ConfigResource> resources =
        present.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Map<String, TopicCheck.Actual> out = new HashMap<>();
    for (String name : present) {
      TopicDescription description = descriptions.get(name);
      int replication =
          description.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
      Map<String, String> settings = new HashMap<>();
      Collection<ConfigEntry> entries =
          configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries();
      for (ConfigEntry entry : entries) {
        if (entry.value() != null) {
          settings.put(entry.name(), entry.value());
        }
      }
      out.put(
          name,
          new TopicCheck.Actual(name, description.partitions().size(), replication, settings));
    }
    return out;
  }

  private static List<String> names(TopicLayout layout) {
    return layout.wanted().stream().map(TopicLayout.Wanted::name).toList();
  }

  private interface AdminWork<T> {
    T run(Admin admin) throws Exception;
  }

  private static <T> T withAdmin(String bootstrapServers, AdminWork<T> work) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      return work.run(admin);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while talking to Kafka", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "cannot reach Kafka at "
              + bootstrapServers
              + " within "
              + TIMEOUT_SECONDS
              + " s to check Roomlog's topics",
          e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot check Roomlog's topics on " + bootstrapServers + ": " + e.getCause().getMessage(),
          e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot check Roomlog's topics on " + bootstrapServers, e);
    }
  }

  /**
   * The cluster's topics do not match the settings: an operator's mistake to correct, so it is an
   * {@link IllegalArgumentException} (reported without a stack trace, exit 2).
   */
  static final class TopicMismatchException extends IllegalArgumentException {
    private final List<String> problems;

    TopicMismatchException(String bootstrapServers, List<String> problems) {
      super(
          "Roomlog's topics on "
              + bootstrapServers
              + " do not match the settings:\n  - "
              + String.join("\n  - ", problems)
              + "\nRoomlog never alters an existing topic. Change the settings to match the"
              + " cluster, or (only for a deployment with no data to keep) delete the topics and"
              + " let `roomlog topics create` make them again.");
      this.problems = List.copyOf(problems);
    }

    List<String> problems() {
      return problems;
    }
  }
}
