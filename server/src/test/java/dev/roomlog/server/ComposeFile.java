package dev.roomlog.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A docker-compose.yml as {@code docker compose up} reads it with no variables set: anchors,
 * aliases and merge keys ({@code <<: *roomlog}) resolved, and every {@code ${VAR:-default}}
 * replaced by its default. Only the parts of the Compose format that Roomlog's file uses are
 * modelled, in both of their spellings (a list or a map of environment variables, a string or a map
 * for build, ...).
 *
 * <p>SnakeYAML reads the file because it resolves merge keys as Compose does; Jackson's YAML parser
 * passes them through as a key named {@code <<} and an alias as the anchor's name.
 */
final class ComposeFile {
  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

  private final Map<String, Service> services;
  private final Set<String> volumes;

  private ComposeFile(Map<String, Service> services, Set<String> volumes) {
    this.services = services;
    this.volumes = volumes;
  }

  static ComposeFile parse(String yaml) {
    Object root = interpolateAll(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));
    Map<String, Object> top = map(root, "the file");
    Map<String, Service> services = new LinkedHashMap<>();
    map(top.get("services"), "services")
        .forEach((name, body) -> services.put(name, new Service(name, map(body, name))));
    Object volumes = top.get("volumes");
    return new ComposeFile(services, volumes == null ? Set.of() : map(volumes, "volumes").keySet());
  }

  /** The services by name, in the file's order. */
  Map<String, Service> services() {
    return services;
  }

  /** The named volumes the file declares at the top level. */
  Set<String> namedVolumes() {
    return volumes;
  }

  /** One service. Accessors return what Compose would use, empty when the file says nothing. */
  record Service(String name, Map<String, Object> body) {
    Optional<String> image() {
      return Optional.ofNullable((String) body.get("image"));
    }

    /** The build context, as written ({@code .} for the directory of the compose file). */
    Optional<String> buildContext() {
      Object build = body.get("build");
      if (build == null || build instanceof String) {
        return Optional.ofNullable((String) build);
      }
      return Optional.of(String.valueOf(map(build, name + ".build").getOrDefault("context", ".")));
    }

    /** The Dockerfile of the build, relative to its context. */
    Optional<String> dockerfile() {
      Object build = body.get("build");
      if (build == null) {
        return Optional.empty();
      }
      if (build instanceof String) {
        return Optional.of("Dockerfile");
      }
      return Optional.of(
          String.valueOf(map(build, name + ".build").getOrDefault("dockerfile", "Dockerfile")));
    }

    /** The command's words (the arguments after the image's entrypoint). */
    List<String> command() {
      Object command = body.get("command");
      if (command == null) {
        return List.of();
      }
      if (command instanceof String text) {
        return List.of(text.strip().split("\\s+"));
      }
      return list(command, name + ".command").stream().map(String::valueOf).toList();
    }

    /** The environment; a variable passed through from the host's (a bare name) is absent. */
    Map<String, String> environment() {
      Object environment = body.get("environment");
      Map<String, String> result = new LinkedHashMap<>();
      if (environment instanceof List<?> entries) {
        for (Object entry : entries) {
          String[] parts = String.valueOf(entry).split("=", 2);
          if (parts.length == 2) {
            result.put(parts[0], parts[1]);
          }
        }
      } else if (environment != null) {
        map(environment, name + ".environment")
            .forEach(
                (key, value) -> {
                  if (value != null) {
                    result.put(key, String.valueOf(value));
                  }
                });
      }
      return result;
    }

    /**
     * The services this one waits for, each with its condition ({@code service_started} if none).
     */
    Map<String, String> dependsOn() {
      Object dependsOn = body.get("depends_on");
      Map<String, String> result = new LinkedHashMap<>();
      if (dependsOn instanceof List<?> names) {
        names.forEach(n -> result.put(String.valueOf(n), "service_started"));
      } else if (dependsOn != null) {
        map(dependsOn, name + ".depends_on")
            .forEach(
                (service, how) ->
                    result.put(
                        service,
                        how == null
                            ? "service_started"
                            : String.valueOf(
                                map(how, name + ".depends_on." + service)
                                    .getOrDefault("condition", "service_started"))));
      }
      return result;
    }

    /** The volume mounts. */
    List<Mount> volumes() {
      List<Mount> mounts = new ArrayList<>();
      Object volumes = body.get("volumes");
      if (volumes == null) {
        return mounts;
      }
      for (Object entry : list(volumes, name + ".volumes")) {
        if (entry instanceof String text) {
          String[] parts = text.split(":");
          mounts.add(parts.length == 1 ? new Mount(null, parts[0]) : new Mount(parts[0], parts[1]));
        } else {
          Map<String, Object> mount = map(entry, name + ".volumes");
          mounts.add(new Mount((String) mount.get("source"), String.valueOf(mount.get("target"))));
        }
      }
      return mounts;
    }

    /** The published ports. */
    List<Published> ports() {
      List<Published> ports = new ArrayList<>();
      Object entries = body.get("ports");
      if (entries == null) {
        return ports;
      }
      for (Object entry : list(entries, name + ".ports")) {
        if (entry instanceof Map<?, ?> port) {
          ports.add(
              new Published(
                  String.valueOf(port.get("published")), String.valueOf(port.get("target"))));
        } else {
          // [ip:]host:container[/protocol], or a container port alone
          String text = String.valueOf(entry).replaceFirst("/.*$", "");
          String[] parts = text.split(":");
          String container = parts[parts.length - 1];
          ports.add(new Published(parts.length == 1 ? null : parts[parts.length - 2], container));
        }
      }
      return ports;
    }
  }

  /** A volume mount: a named volume or a host path ({@code null} for an anonymous volume). */
  record Mount(String source, String target) {}

  /** A published port; {@code host} is null when Docker picks one. */
  record Published(String host, String container) {}

  /** Compose's interpolation with an empty environment: every variable takes its default. */
  static String interpolate(String value) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else if (m.group(2) != null && m.group(2).endsWith("?")) {
        throw new IllegalArgumentException(
            "${" + m.group(1) + "} must be set: a first `docker compose up` would fail");
      } else {
        replacement = m.group(3) == null ? "" : m.group(3);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Object interpolateAll(Object node) {
    if (node instanceof String text) {
      return interpolate(text);
    }
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> result = new LinkedHashMap<>();
      map.forEach((key, value) -> result.put(String.valueOf(key), interpolateAll(value)));
      return result;
    }
    if (node instanceof List<?> list) {
      return list.stream().map(ComposeFile::interpolateAll).toList();
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node, String where) {
    if (!(node instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(where + " should be a map, is " + node);
    }
    return (Map<String, Object>) node;
  }

  private static List<?> list(Object node, String where) {
    if (!(node instanceof List<?> list)) {
      throw new IllegalArgumentException(where + " should be a list, is " + node);
    }
    return list;
  }
}
