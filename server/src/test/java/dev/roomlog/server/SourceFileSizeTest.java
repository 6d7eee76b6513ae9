package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No main source file of any module is over {@value #MAX_LINES} lines unless its top comment (the
 * part of the file before its first type declaration, normally the class Javadoc) has a sentence
 * starting with {@value #REASON_MARKER}: a long file is either split along its seams or says why it
 * is one thing (docs/ARCHITECTURE.md#code-size). Checked here because the server's tests run from
 * inside the project tree; the modules are read from the root pom's {@code <module>} list, so a new
 * module is checked without touching this test.
 */
class SourceFileSizeTest {
  static final int MAX_LINES = 400;
  static final String REASON_MARKER = "Over 400 lines because";

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  /** The first top-level type declaration: what comes before it is the file's top comment. */
  private static final Pattern TYPE_DECLARATION =
      Pattern.compile(
          "^(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|final|abstract|sealed|non-sealed|strictfp)\\s+)*"
              + "(?:class|interface|enum|record|@interface)\\s",
          Pattern.MULTILINE);

  @Test
  void everyLongMainSourceFileSaysWhyAtItsTop() throws IOException {
    List<String> unexplained = new ArrayList<>();
    for (Path file : mainSources()) {
      String text = Files.readString(file);
      long lines = text.lines().count();
      if (lines > MAX_LINES && !topComment(text).contains(REASON_MARKER)) {
        String name = ROOT.relativize(file).toString().replace('\\', '/');
        unexplained.add(name + " (" + lines + " lines)");
      }
    }

    assertEquals(
        List.of(),
        unexplained,
        "main source files over "
            + MAX_LINES
            + " lines: split each along its seams, or start a sentence of its top comment with \""
            + REASON_MARKER
            + "\" and say why it is one thing");
  }

  @Test
  void readsTheMainSourcesOfEveryModuleInTheRootPom() throws IOException {
    // Guards the rule itself: a wrong root or an empty module list would pass it vacuously.
    List<Path> sources = mainSources();

    assertTrue(sources.stream().anyMatch(f -> f.endsWith("server/RoomlogCommand.java")));
    assertTrue(sources.stream().anyMatch(f -> f.endsWith("processor/RoomLogic.java")));
  }

  @Test
  void aReasonCountsOnlyInTheTopComment() {
    String atTop =
        "package a;\n\n/** " + REASON_MARKER + " it is one table. */\nfinal class A {}\n";
    String inside = "package a;\n\n/** A. */\nclass A {\n  // " + REASON_MARKER + " no.\n}\n";

    assertTrue(topComment(atTop).contains(REASON_MARKER));
    assertFalse(topComment(inside).contains(REASON_MARKER));
  }

  private static List<Path> mainSources() throws IOException {
    Matcher modules = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
    List<Path> sources = new ArrayList<>();
    while (modules.find()) {
      Path main = ROOT.resolve(modules.group(1).trim()).resolve("src/main/java");
      if (Files.isDirectory(main)) {
        try (Stream<Path> files = Files.walk(main)) {
          files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
        } catch (UncheckedIOException e) {
          throw e.getCause();
        }
      }
    }
    return sources;
  }

  private static String topComment(String text) {
    Matcher declaration = TYPE_DECLARATION.matcher(text);
    return declaration.find() ? text.substring(0, declaration.start()) : text;
  }
}
