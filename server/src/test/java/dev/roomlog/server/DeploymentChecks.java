package dev.roomlog.server;

import dev.roomlog.server.ComposeFile.Mount;
import dev.roomlog.server.ComposeFile.Service;
import dev.roomlog.server.HaproxyConfig.Section;
import dev.roomlog.server.HaproxyConfig.Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The checks of {@link DeploymentFilesTest}: each takes the deployment files and returns its
 * problems, one {@code "service: what is wrong"} each, empty when all is well.
 */
final class DeploymentChecks {
  static final String COMPOSE_FILE = "docker-compose.yml";
  static final String DOCKERFILE = "Dockerfile";
  static final String JAR = "/opt/roomlog/roomlog.jar";
  static final String HAPROXY_CONFIG = "/usr/local/etc/haproxy/haproxy.cfg";
  static final String HEALTH_PATH = "/readyz";
  private static final Pattern LISTENER = Pattern.compile("([A-Za-z0-9_]+)://([^:,]*):([0-9]+)");

  private DeploymentChecks() {}

  /**
   * The deployment files, read through {@code files}: a path relative to the project's root to the
   * file's text, or null if there is no such file. Not thread-safe.
   */
  static final class Deployment {
    private final ComposeFile compose;
    private final UnaryOperator<String> files;
    private final Map<String, Optional<RoomlogCli.Started>> started = new HashMap<>();

    private Deployment(ComposeFile compose, UnaryOperator<String> files) {
      this.compose = compose;
      this.files = files;
    }

    static Deployment read(UnaryOperator<String> files) {
      return new Deployment(ComposeFile.parse(files.apply(COMPOSE_FILE)), files);
    }

    /** The same files, but {@code text} replaced with {@code replacement} in one of them. */
    Deployment with(String file, String text, String replacement) {
      String changed = files.apply(file).replace(text, replacement);
      return read(path -> path.equals(file) ? changed : files.apply(path));
    }

    /** A file by its path relative to the root, as docker-compose.yml writes it. */
    String file(String path) {
      return files.apply(Path.of(path).normalize().toString());
    }

    Set<String> namedVolumes() {
      return compose.namedVolumes();
    }

    List<Service> services() {
      return List.copyOf(compose.services().values());
    }

    /** The services of the roomlog image: those that build one, or use one named roomlog. */
    List<Service> roomlogServices() {
      return services().stream()
          .filter(s -> s.buildContext().isPresent() || s.image().orElse("").startsWith("roomlog"))
          .toList();
    }

    List<Service> kafkaNodes() {
      return services().stream()
          .filter(s -> s.image().orElse("").startsWith("apache/kafka"))
          .toList();
    }

    /** The roomlog services that run {@code roomlog COMMAND ...}. */
    List<Service> withCommand(String command) {
      return roomlogServices().stream()
          .filter(s -> !s.command().isEmpty() && s.command().get(0).equals(command))
          .toList();
    }

    /** A roomlog service's command as the code starts it; empty if the code refuses it. */
    Optional<RoomlogCli.Started> started(Service service) {
      return started.computeIfAbsent(service.name(), name -> start(service));
    }

    private static Optional<RoomlogCli.Started> start(Service service) {
      if (RoomlogCli.path(service.command()).isEmpty()) {
        return Optional.empty(); // commands() reports it
      }
      try {
        return Optional.of(RoomlogCli.start(service.command(), service.environment()));
      } catch (IllegalArgumentException e) {
        return Optional.empty(); // refusedSettings() reports it
      }
    }
  }

  static List<String> all(Deployment d) {
    return Stream.<Function<Deployment, List<String>>>of(
            DeploymentChecks::imagesOrBuilds,
            DeploymentChecks::roomlogBuilds,
            DeploymentChecks::commands,
            DeploymentChecks::unreadVariables,
            DeploymentChecks::refusedSettings,
            DeploymentChecks::quorum,
            DeploymentChecks::bootstrapServers,
            DeploymentChecks::replication,
            DeploymentChecks::gatewayIds,
            DeploymentChecks::processors,
            DeploymentChecks::loadBalancer,
            DeploymentChecks::topicsFirst)
        .flatMap(check -> check.apply(d).stream())
        .toList();
  }

  static List<String> imagesOrBuilds(Deployment d) {
    return d.services().stream()
        .filter(s -> s.image().isEmpty() && s.buildContext().isEmpty())
        .map(s -> s.name() + ": has neither an image nor a build")
        .toList();
  }

  /** The roomlog services build the root Dockerfile, which builds and runs the jar. */
  static List<String> roomlogBuilds(Deployment d) {
    List<String> problems = new ArrayList<>();
    for (Service s : d.roomlogServices()) {
      Optional<String> context = s.buildContext().map(c -> Path.of(c).normalize().toString());
      String dockerfile = s.dockerfile().orElse("");
      if (context.isEmpty()) {
        problems.add(
            "%s: uses the image %s but builds none".formatted(s.name(), s.image().orElse("")));
      } else if (!context.get().isEmpty() || !dockerfile.equals(DOCKERFILE)) {
        problems.add(
            "%s: builds %s/%s, not the Dockerfile at the root"
                .formatted(s.name(), context.get(), dockerfile));
      }
    }
    String dockerfile = d.file(DOCKERFILE);
    if (dockerfile == null) {
      problems.add("Dockerfile: missing at the root");
    } else {
      problems.addAll(dockerfileProblems(dockerInstructions(dockerfile)));
    }
    return problems;
  }

  private static List<String> dockerfileProblems(List<String> instructions) {
    List<String> problems = new ArrayList<>();
    List<String> entrypoint =
        instructions.stream()
            .filter(i -> i.startsWith("ENTRYPOINT "))
            .reduce((first, last) -> last)
            .map(DeploymentChecks::quotedWords)
            .orElse(List.of());
    int jar = entrypoint.indexOf("-jar");
    if (jar < 0 || jar + 1 >= entrypoint.size() || !entrypoint.get(jar + 1).equals(JAR)) {
      problems.add(
          "Dockerfile: its ENTRYPOINT does not run %s in exec form: %s".formatted(JAR, entrypoint));
    }
    if (noneMatches(instructions, "COPY .*server/target/roomlog\\.jar " + JAR)) {
      problems.add("Dockerfile: no COPY puts server/target/roomlog.jar at " + JAR);
    }
    if (noneMatches(instructions, "COPY .*server/target/lib/? /opt/roomlog/lib/?")) {
      problems.add("Dockerfile: no COPY puts server/target/lib beside the jar, where it looks");
    }
    if (noneMatches(instructions, "RUN .*mvn .*package.* -pl server -am.*")) {
      problems.add("Dockerfile: no RUN builds the server (mvn ... package -pl server -am)");
    }
    instructions.stream()
        .filter(i -> i.matches("RUN .*mvn .*") && i.matches(".* (-o|--offline)( .*|$)"))
        .forEach(i -> problems.add("Dockerfile: builds offline, so only on a filled cache: " + i));
    return problems;
  }

  /** Every roomlog service runs a command of roomlog's. */
  static List<String> commands(Deployment d) {
    return d.roomlogServices().stream()
        .filter(s -> RoomlogCli.path(s.command()).isEmpty())
        .map(
            s ->
                "%s: `roomlog %s` is not a command of roomlog (its commands: %s)"
                    .formatted(s.name(), String.join(" ", s.command()), RoomlogCli.commandNames()))
        .toList();
  }

  /** Every ROOMLOG_* variable a service sets is read by its command: a misspelt one is not. */
  static List<String> unreadVariables(Deployment d) {
    List<String> problems = new ArrayList<>();
    for (Service s : d.roomlogServices()) {
      Optional<List<CommandLine>> path = RoomlogCli.path(s.command());
      if (path.isEmpty()) {
        continue; // commands() reports it
      }
      Set<String> read = RoomlogCli.variablesRead(path.get());
      s.environment().keySet().stream()
          .filter(name -> name.startsWith("ROOMLOG_") && !read.contains(name))
          .forEach(
              name ->
                  problems.add(
                      "%s: sets %s, which `roomlog %s` does not read"
                          .formatted(s.name(), name, RoomlogCli.commandName(path.get()))));
    }
    return problems;
  }

  /** Every roomlog service's command accepts its settings (types, durations, keys, ...). */
  static List<String> refusedSettings(Deployment d) {
    List<String> problems = new ArrayList<>();
    for (Service s : d.roomlogServices()) {
      Optional<List<CommandLine>> path = RoomlogCli.path(s.command());
      if (path.isEmpty()) {
        continue; // commands() reports it
      }
      try {
        RoomlogCli.start(s.command(), s.environment());
      } catch (IllegalArgumentException e) {
        problems.add(
            "%s: `roomlog %s` refuses its settings: %s"
                .formatted(s.name(), RoomlogCli.commandName(path.get()), e.getMessage()));
      }
    }
    return problems;
  }

  /** Three Kafka nodes with distinct ids, one cluster id, each listing all three as voters. */
  static List<String> quorum(Deployment d) {
    List<String> problems = new ArrayList<>();
    List<Service> nodes = d.kafkaNodes();
    if (nodes.size() != 3) {
      problems.add("Kafka: 3 nodes expected, found " + names(nodes));
    }
    Set<String> voters = new TreeSet<>();
    for (Service node : nodes) {
      String id = node.environment().get("KAFKA_NODE_ID");
      String controllerName =
          node.environment().getOrDefault("KAFKA_CONTROLLER_LISTENER_NAMES", "(none)");
      Listener controller = listeners(node, "KAFKA_LISTENERS").get(controllerName);
      if (id == null) {
        problems.add(node.name() + ": KAFKA_NODE_ID is not set");
      } else if (controller == null) {
        problems.add(
            "%s: KAFKA_LISTENERS has no listener %s (KAFKA_CONTROLLER_LISTENER_NAMES)"
                .formatted(node.name(), controllerName));
      } else {
        voters.add(id + "@" + node.name() + ":" + controller.port());
      }
    }
    problems.addAll(sharedValues(nodes, "KAFKA_NODE_ID"));
    for (Service node : nodes) {
      Set<String> listed =
          new TreeSet<>(
              List.of(
                  node.environment()
                      .getOrDefault("KAFKA_CONTROLLER_QUORUM_VOTERS", "")
                      .split(",")));
      if (!listed.equals(voters)) {
        problems.add(
            "%s: KAFKA_CONTROLLER_QUORUM_VOTERS is %s, the nodes are %s"
                .formatted(node.name(), listed, voters));
      }
    }
    Set<String> clusterIds =
        nodes.stream()
            .map(n -> n.environment().getOrDefault("CLUSTER_ID", "(none)"))
            .collect(Collectors.toCollection(TreeSet::new));
    if (clusterIds.size() != 1 || clusterIds.contains("(none)")) {
      problems.add("Kafka: every node needs the same CLUSTER_ID, found " + clusterIds);
    }
    return problems;
  }

  /**
   * Each node advertises itself under its service name, on a port it listens on; every roomlog
   * service's bootstrap servers are such advertised addresses.
   */
  static List<String> bootstrapServers(Deployment d) {
    List<String> problems = new ArrayList<>();
    Map<String, Service> nodes = new LinkedHashMap<>();
    d.kafkaNodes().forEach(n -> nodes.put(n.name(), n));
    for (Service node : nodes.values()) {
      Map<String, Listener> bound = listeners(node, "KAFKA_LISTENERS");
      for (Listener advertised : listeners(node, "KAFKA_ADVERTISED_LISTENERS").values()) {
        if (!advertised.host().equals(node.name())) {
          problems.add(
              "%s: advertises %s, a name the other containers do not know it by"
                  .formatted(node.name(), advertised));
        }
        Listener listening = bound.get(advertised.name());
        if (listening == null || listening.port() != advertised.port()) {
          problems.add(
              "%s: advertises %s but listens on %s".formatted(node.name(), advertised, listening));
        }
      }
    }
    for (Service s : d.roomlogServices()) {
      Optional<String> servers =
          d.started(s).flatMap(st -> st.mixin(KafkaOptions.class)).map(k -> k.bootstrapServers);
      for (String server : servers.map(v -> v.split(",")).orElse(new String[0])) {
        String address = server.strip();
        String host = address.replaceFirst(":[0-9]+$", "");
        if (!nodes.containsKey(host)) {
          problems.add(
              "%s: ROOMLOG_BOOTSTRAP_SERVERS names %s, which is not a Kafka service %s"
                  .formatted(s.name(), host, nodes.keySet()));
          continue;
        }
        List<String> advertised =
            listeners(nodes.get(host), "KAFKA_ADVERTISED_LISTENERS").values().stream()
                .map(Listener::toString)
                .toList();
        if (advertised.stream().noneMatch(a -> a.endsWith("://" + address))) {
          problems.add(
              "%s: ROOMLOG_BOOTSTRAP_SERVERS names %s, but %s advertises %s"
                  .formatted(s.name(), address, host, advertised));
        }
      }
    }
    return problems;
  }

  /** No topic asks for more replicas than there are brokers, or more in sync than replicas. */
  static List<String> replication(Deployment d) {
    List<String> problems = new ArrayList<>();
    int brokers = d.kafkaNodes().size();
    for (Service s : d.roomlogServices()) {
      Optional<KafkaOptions> kafka = d.started(s).flatMap(st -> st.mixin(KafkaOptions.class));
      if (kafka.isEmpty()) {
        continue;
      }
      int factor = kafka.get().replicationFactor;
      if (factor > brokers) {
        problems.add(
            "%s: replication factor %d needs more than the %d Kafka nodes"
                .formatted(s.name(), factor, brokers));
      }
      String minInsync = s.environment().get("ROOMLOG_MIN_INSYNC_REPLICAS");
      if (minInsync != null && Integer.parseInt(minInsync.strip()) > factor) {
        problems.add(
            "%s: ROOMLOG_MIN_INSYNC_REPLICAS %s is more than the replication factor %d"
                .formatted(s.name(), minInsync, factor));
      }
    }
    for (Service node : d.kafkaNodes()) {
      problems.addAll(
          internalTopic(
              node,
              brokers,
              "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
              "KAFKA_MIN_INSYNC_REPLICAS"));
      problems.addAll(
          internalTopic(
              node,
              brokers,
              "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
              "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"));
    }
    return problems;
  }

  /** An internal topic's replication, which the apache/kafka image makes 1 unless told. */
  private static List<String> internalTopic(
      Service node, int brokers, String factorVariable, String minInsyncVariable) {
    String factor = node.environment().get(factorVariable);
    String minInsync = node.environment().get(minInsyncVariable);
    if (factor == null) {
      return List.of(node.name() + ": " + factorVariable + " is not set: the image makes it 1");
    }
    if (Integer.parseInt(factor) > brokers) {
      return List.of(
          "%s: %s %s needs more than the %d Kafka nodes"
              .formatted(node.name(), factorVariable, factor, brokers));
    }
    if (minInsync != null && Integer.parseInt(minInsync) > Integer.parseInt(factor)) {
      return List.of(
          "%s: %s %s is more than %s %s"
              .formatted(node.name(), minInsyncVariable, minInsync, factorVariable, factor));
    }
    return List.of();
  }

  /** Every gateway has an id of its own, kept across restarts. */
  static List<String> gatewayIds(Deployment d) {
    List<String> problems = new ArrayList<>();
    for (Service gateway : d.withCommand("gateway")) {
      if (!gateway.environment().containsKey("ROOMLOG_GATEWAY_ID")) {
        problems.add(
            gateway.name()
                + ": no ROOMLOG_GATEWAY_ID, so after a restart it is a new gateway and its old"
                + " members stay in their rooms until the gateway timeout");
      }
    }
    problems.addAll(sharedValues(d.withCommand("gateway"), "ROOMLOG_GATEWAY_ID"));
    return problems;
  }

  /**
   * The processors share one application id (so they share the work), each is reachable under the
   * host name it announces, and each keeps its state on a named volume of its own.
   */
  static List<String> processors(Deployment d) {
    List<String> problems = new ArrayList<>();
    Map<String, List<String>> byApplication = new LinkedHashMap<>();
    Map<String, List<String>> byVolume = new LinkedHashMap<>();
    for (Service processor : d.withCommand("processor")) {
      d.started(processor)
          .flatMap(st -> st.mixin(ProcessorOptions.class))
          .ifPresent(
              options ->
                  byApplication
                      .computeIfAbsent(options.applicationId(), id -> new ArrayList<>())
                      .add(processor.name()));
      String queryHost = processor.environment().get("ROOMLOG_QUERY_HOST");
      if (queryHost != null && !queryHost.equals(processor.name())) {
        problems.add(
            "%s: ROOMLOG_QUERY_HOST is %s, but the other processors reach it as %s"
                .formatted(processor.name(), queryHost, processor.name()));
      }
      String stateDir = processor.environment().get("ROOMLOG_STATE_DIR");
      Optional<String> volume = namedVolumeHolding(d, processor, stateDir);
      if (volume.isEmpty()) {
        problems.add(
            "%s: its state (ROOMLOG_STATE_DIR %s) is on no named volume"
                .formatted(processor.name(), stateDir));
      } else {
        byVolume.computeIfAbsent(volume.get(), v -> new ArrayList<>()).add(processor.name());
      }
    }
    if (byApplication.size() > 1) {
      problems.add(
          "processors: they share the work only under one ROOMLOG_APPLICATION_ID, found "
              + byApplication);
    }
    byVolume.forEach(
        (volume, owners) -> {
          if (owners.size() > 1) {
            problems.add(String.join(", ", owners) + ": share the state volume " + volume);
          }
        });
    return problems;
  }

  /** The named volume mounted at or above {@code path} in the service, if any. */
  private static Optional<String> namedVolumeHolding(Deployment d, Service service, String path) {
    if (path == null) {
      return Optional.empty();
    }
    return service.volumes().stream()
        .filter(m -> (path + "/").startsWith(m.target().replaceFirst("/?$", "/")))
        .map(Mount::source)
        .filter(d.namedVolumes()::contains)
        .findFirst();
  }

  /**
   * One HAProxy service: it publishes its frontend's port, and its backend targets exactly the
   * gateways, each on the port the gateway listens on, health-checked on /readyz.
   */
  static List<String> loadBalancer(Deployment d) {
    List<Service> balancers =
        d.services().stream().filter(s -> s.image().orElse("").startsWith("haproxy")).toList();
    if (balancers.size() != 1) {
      return List.of("lb: one haproxy service expected, found " + names(balancers));
    }
    Service lb = balancers.get(0);
    Optional<String> source =
        lb.volumes().stream()
            .filter(m -> m.target().equals(HAPROXY_CONFIG))
            .map(Mount::source)
            .findFirst();
    String text = source.map(d::file).orElse(null);
    if (text == null) {
      return List.of(
          "%s: mounts no config file at %s (found %s)"
              .formatted(lb.name(), HAPROXY_CONFIG, source.orElse("none")));
    }
    HaproxyConfig config = HaproxyConfig.parse(text);
    Optional<Section> frontend = config.first("frontend");
    Optional<Section> backend =
        frontend
            .flatMap(f -> f.value("default_backend"))
            .flatMap(name -> config.section("backend", name));
    if (frontend.isEmpty() || backend.isEmpty()) {
      return List.of(lb.name() + ": " + source.get() + " has no frontend with a default_backend");
    }
    List<String> problems = new ArrayList<>();
    problems.addAll(publishedFrontend(lb, frontend.get()));
    problems.addAll(backendServers(d, lb, backend.get()));
    String path = backend.get().healthCheckPath().orElse("(none)");
    if (!path.equals(HEALTH_PATH)) {
      problems.add(
          "%s: the health check asks for %s, the gateways answer %s"
              .formatted(lb.name(), path, HEALTH_PATH));
    }
    return problems;
  }

  private static List<String> publishedFrontend(Service lb, Section frontend) {
    String bind = frontend.value("bind").orElse("(none)");
    String port = bind.replaceFirst("^\\S*:([0-9]+).*$", "$1");
    if (lb.ports().stream().noneMatch(p -> p.host() != null && p.container().equals(port))) {
      return List.of(
          "%s: publishes no host port for the frontend's bind %s (its ports: %s)"
              .formatted(lb.name(), bind, lb.ports()));
    }
    return List.of();
  }

  private static List<String> backendServers(Deployment d, Service lb, Section backend) {
    List<String> problems = new ArrayList<>();
    List<Service> gateways = d.withCommand("gateway");
    Set<String> targets =
        backend.servers().stream().map(Server::host).collect(Collectors.toCollection(TreeSet::new));
    Set<String> gatewayNames = new TreeSet<>(names(gateways));
    if (!targets.equals(gatewayNames)) {
      problems.add(
          "%s: the backend's servers are %s, the gateways are %s"
              .formatted(lb.name(), targets, gatewayNames));
    }
    Map<String, Integer> ports = new HashMap<>();
    for (Service gateway : gateways) {
      d.started(gateway)
          .flatMap(RoomlogCli.Started::gatewaySettings)
          .ifPresent(settings -> ports.put(gateway.name(), settings.port()));
    }
    for (Server server : backend.servers()) {
      Integer listening = ports.get(server.host());
      if (listening != null && !server.port().equals(String.valueOf(listening))) {
        problems.add(
            "%s: server %s targets port %s, but %s listens on %d"
                .formatted(lb.name(), server.name(), server.port(), server.host(), listening));
      }
      if (!server.checked(backend)) {
        problems.add(lb.name() + ": server " + server.name() + " is not health-checked");
      }
    }
    return problems;
  }

  /**
   * One service runs {@code roomlog topics create}, once every Kafka node is healthy and only once;
   * the gateways and processors start after it completed.
   */
  static List<String> topicsFirst(Deployment d) {
    List<Service> creators =
        d.roomlogServices().stream()
            .filter(s -> s.command().equals(List.of("topics", "create")))
            .toList();
    if (creators.size() != 1) {
      return List.of(
          "topics: one service running `roomlog topics create` expected, found " + names(creators));
    }
    Service topics = creators.get(0);
    List<String> problems = new ArrayList<>();
    String restart = String.valueOf(topics.body().getOrDefault("restart", "no"));
    if (!restart.equals("no") && !restart.startsWith("on-failure")) {
      problems.add(
          "%s: restart %s starts it again after it succeeded, so it never completes"
              .formatted(topics.name(), restart));
    }
    for (Service node : d.kafkaNodes()) {
      if (!"service_healthy".equals(topics.dependsOn().get(node.name()))) {
        problems.add(topics.name() + ": does not wait for " + node.name() + " to be healthy");
      }
    }
    List<Service> roles = new ArrayList<>(d.withCommand("gateway"));
    roles.addAll(d.withCommand("processor"));
    for (Service role : roles) {
      if (!"service_completed_successfully".equals(role.dependsOn().get(topics.name()))) {
        problems.add(
            "%s: does not wait for %s to complete successfully"
                .formatted(role.name(), topics.name()));
      }
    }
    return problems;
  }

  /** A Kafka listener: {@code NAME://host:port}. */
  record Listener(String name, String host, int port) {
    @Override
    public String toString() {
      return name + "://" + host + ":" + port;
    }
  }

  /** {@code KAFKA_LISTENERS} or {@code KAFKA_ADVERTISED_LISTENERS} of a node, by name. */
  private static Map<String, Listener> listeners(Service node, String variable) {
    Map<String, Listener> result = new LinkedHashMap<>();
    Matcher m = LISTENER.matcher(node.environment().getOrDefault(variable, ""));
    while (m.find()) {
      result.put(m.group(1), new Listener(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
    }
    return result;
  }

  /** Services that give {@code variable} the same value. */
  private static List<String> sharedValues(List<Service> services, String variable) {
    Map<String, List<String>> byValue = new LinkedHashMap<>();
    for (Service s : services) {
      String value = s.environment().get(variable);
      if (value != null) {
        byValue.computeIfAbsent(value, v -> new ArrayList<>()).add(s.name());
      }
    }
    return byValue.entrySet().stream()
        .filter(e -> e.getValue().size() > 1)
        .map(e -> String.join(", ", e.getValue()) + ": share " + variable + " " + e.getKey())
        .toList();
  }

  private static boolean noneMatches(List<String> instructions, String regex) {
    return instructions.stream().noneMatch(i -> i.matches(regex));
  }

  /** The Dockerfile's instructions, one a line (continuations joined), without comments. */
  private static List<String> dockerInstructions(String dockerfile) {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.split("\n")) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || (stripped.isEmpty() && current.length() == 0)) {
        continue;
      }
      boolean continued = stripped.endsWith("\\");
      current.append(continued ? stripped.substring(0, stripped.length() - 1) : stripped);
      current.append(' ');
      if (!continued) {
        instructions.add(current.toString().strip().replaceAll("\\s+", " "));
        current.setLength(0);
      }
    }
    return instructions;
  }

  private static List<String> quotedWords(String execForm) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(execForm);
    while (m.find()) {
      words.add(m.group(1));
    }
    return words;
  }

  private static List<String> names(List<Service> services) {
    return services.stream().map(Service::name).toList();
  }
}
