package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.systemtest.Checkout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/INTEGRATIONS.md quotes code that runs: each example is the region between {@code //
 * docs:start NAME} and {@code // docs:end NAME} of a test that runs it against a real system,
 * quoted verbatim (less its common indentation) in a fenced block.
 */
class IntegrationsDocTest {
  private static final Path DOC = Checkout.root().resolve("docs/INTEGRATIONS.md");

  @Test
  void theAwsSdkExamplesAreTheCodeTheTestsRun() throws IOException {
    String doc = Files.readString(DOC);
    assertQuoted(
        doc,
        Checkout.root().resolve("server/src/test/java/dev/roomlog/server/AwsSdkManagementIT.java"),
        "java-sdk",
        "java");
    assertQuoted(doc, Checkout.root().resolve("clients/js/test/aws-sdk.test.js"), "js-sdk", "js");
  }

  private static void assertQuoted(String doc, Path source, String name, String language)
      throws IOException {
    String text = Files.readString(source);
    int start = text.indexOf('\n', text.indexOf("// docs:start " + name)) + 1;
    int end = text.lastIndexOf('\n', text.indexOf("// docs:end " + name));
    // Without its last newline: stripIndent counts a blank last line as one of no indentation.
    String region = text.substring(start, end).stripIndent() + "\n";
    String block = "```" + language + "\n" + region + "```";
    assertTrue(
        doc.contains(block),
        DOC + " must quote " + source + "'s " + name + " region as it is:\n" + block);
  }
}
