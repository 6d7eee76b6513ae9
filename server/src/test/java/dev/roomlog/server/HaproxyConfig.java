package dev.roomlog.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An HAProxy configuration file read as far as {@link DeploymentFilesTest} needs: its sections
 * ({@code frontend NAME}, {@code backend NAME}, ...), each with its lines, comments left out.
 */
record HaproxyConfig(List<HaproxyConfig.Section> sections) {
  private static final Set<String> SECTION_KEYWORDS =
      Set.of(
          "global",
          "defaults",
          "frontend",
          "backend",
          "listen",
          "resolvers",
          "peers",
          "userlist",
          "cache",
          "program",
          "http-errors",
          "mailers",
          "ring");

  /** One section; its lines have their words separated by single spaces. */
  record Section(String kind, String name, List<String> lines) {
    /** What follows {@code keyword} on each line that starts with it. */
    List<String> values(String keyword) {
      return lines.stream()
          .filter(line -> line.startsWith(keyword + " "))
          .map(line -> line.substring(keyword.length() + 1))
          .toList();
    }

    Optional<String> value(String keyword) {
      return values(keyword).stream().findFirst();
    }

    /** The {@code server NAME ADDRESS [options]} lines. */
    List<Server> servers() {
      return values("server").stream()
          .map(value -> List.of(value.split(" ")))
          .map(words -> new Server(words.get(0), words.get(1), words.subList(2, words.size())))
          .toList();
    }

    /** Whether the section's servers are health-checked unless a server line says otherwise. */
    boolean checksByDefault() {
      return value("default-server")
          .map(v -> List.of(v.split(" ")).contains("check"))
          .orElse(false);
    }

    /**
     * The path of the HTTP health check: {@code http-check send ... uri PATH}, or HAProxy's older
     * {@code option httpchk [METHOD] PATH}.
     */
    Optional<String> healthCheckPath() {
      for (String send : values("http-check send")) {
        List<String> words = List.of(send.split(" "));
        int uri = words.indexOf("uri");
        if (uri >= 0 && uri + 1 < words.size()) {
          return Optional.of(words.get(uri + 1));
        }
      }
      return value("option httpchk").map(v -> v.split(" ")).map(w -> w.length > 1 ? w[1] : w[0]);
    }
  }

  /** A backend server: {@code address} is {@code host:port}. */
  record Server(String name, String address, List<String> options) {
    String host() {
      return address.replaceFirst(":[0-9]+$", "");
    }

    String port() {
      return address.replaceFirst("^.*:", "");
    }

    boolean checked(Section backend) {
      return options.contains("check") || backend.checksByDefault();
    }
  }

  static HaproxyConfig parse(String text) {
    List<Section> sections = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.replaceFirst("#.*$", "");
      if (line.isBlank()) {
        continue;
      }
      String[] words = line.strip().split("\\s+");
      if (!Character.isWhitespace(line.charAt(0)) && SECTION_KEYWORDS.contains(words[0])) {
        sections.add(new Section(words[0], words.length > 1 ? words[1] : "", new ArrayList<>()));
      } else if (!sections.isEmpty()) {
        sections.get(sections.size() - 1).lines().add(String.join(" ", words));
      }
    }
    return new HaproxyConfig(List.copyOf(sections));
  }

  Optional<Section> first(String kind) {
    return sections.stream().filter(s -> s.kind().equals(kind)).findFirst();
  }

  Optional<Section> section(String kind, String name) {
    return sections.stream()
        .filter(s -> s.kind().equals(kind) && s.name().equals(name))
        .findFirst();
  }
}
