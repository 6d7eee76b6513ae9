package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the "Where the code lives" table of the module's README.md true: one row per package of
 * {@code src/main/java/dev/roomlog/gateway}, naming every class in it and no other, so that the map
 * a newcomer reads cannot drift from the code.
 */
class GatewayReadmeTest {
  private static final Path README = Path.of("README.md");
  private static final Path SOURCES = Path.of("src/main/java/dev/roomlog/gateway");
  private static final String ROOT_PACKAGE = "dev.roomlog.gateway";
  private static final Pattern ROW =
      Pattern.compile("^\\| `([a-z.]+)` \\| [^|]+ \\| ((?:`[A-Za-z]+`(?:, )?)+) \\|$");
  private static final Pattern NAME = Pattern.compile("`([A-Za-z]+)`");

  @Test
  void packageTableNamesEveryPackageAndEveryClassInIt() throws IOException {
    assertEquals(packagesInSource(), packagesInReadme(), "README.md: Where the code lives");
  }

  private static Map<String, Set<String>> packagesInReadme() throws IOException {
    String text = Files.readString(README);
    int start = text.indexOf("## Where the code lives");
    int end = text.indexOf("\n## ", start + 1);
    Map<String, Set<String>> packages = new TreeMap<>();
    for (String line : text.substring(start, end).split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        Set<String> classes = new TreeSet<>();
        Matcher name = NAME.matcher(row.group(2));
        while (name.find()) {
          classes.add(name.group(1));
        }
        packages.put(row.group(1), classes);
      }
    }
    return packages;
  }

  private static Map<String, Set<String>> packagesInSource() throws IOException {
    Map<String, Set<String>> packages = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files
          .filter(f -> f.toString().endsWith(".java"))
          .filter(f -> !f.getFileName().toString().equals("package-info.java"))
          .forEach(
              f -> {
                String dir = SOURCES.relativize(f.getParent()).toString();
                String name = dir.isEmpty() ? ROOT_PACKAGE : dir.replace('/', '.');
                String file = f.getFileName().toString();
                packages
                    .computeIfAbsent(name, k -> new TreeSet<>())
                    .add(file.substring(0, file.length() - ".java".length()));
              });
    }
    return packages;
  }
}
