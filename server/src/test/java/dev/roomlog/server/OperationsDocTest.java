package dev.roomlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roomlog.gateway.settings.GatewaySettings;
import dev.roomlog.integrations.IntegrationsSettings;
import dev.roomlog.processor.ProcessorSettings;
import dev.roomlog.protocol.settings.SettingDefs;
import dev.roomlog.systemtest.Checkout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/OPERATIONS.md stays true to the code: every setting is documented, the example works. */
class OperationsDocTest {
  private static final Path DOC = Checkout.root().resolve("docs/OPERATIONS.md");
  private static final Pattern GENERATED =
      Pattern.compile(
          "(<!-- generated: (\\w+)\\.DEFS\\.markdownTable\\(\\) -->\\n)(?s:.*?)(<!-- end generated -->)");

  @Test
  void everyGatewaySettingIsDocumented() throws IOException {
    String doc = Files.readString(DOC);
    List<String> missing =
        GatewaySettings.PROPERTY_NAMES.stream()
            .filter(
                name ->
                    !doc.contains("`" + name + "`") && !doc.contains("`" + shortName(name) + "`"))
            .toList();

    assertEquals(List.of(), missing, "settings missing from " + DOC);
  }

  /**
   * The settings tables are the declarations' {@link SettingDefs#markdownTable()}. To update them
   * after changing a declaration: {@code mvn -o -q -pl server -am test -Dtest=OperationsDocTest
   * -Dsurefire.failIfNoSpecifiedTests=false -Droomlog.writeDocs=true}.
   */
  @Test
  void theSettingsTablesAreTheDeclarations() throws IOException {
    String doc = Files.readString(DOC);
    String generated = withGeneratedTables(doc);
    if (Boolean.getBoolean("roomlog.writeDocs")) {
      Files.writeString(DOC, generated);
      doc = generated;
    }

    assertEquals(generated, doc, "regenerate the settings tables of " + DOC);
  }

  private static String withGeneratedTables(String doc) {
    Map<String, SettingDefs> tables =
        Map.of(
            "GatewaySettings",
            GatewaySettings.DEFS,
            "ProcessorSettings",
            ProcessorSettings.DEFS,
            "IntegrationsSettings",
            IntegrationsSettings.DEFS);
    Matcher m = GENERATED.matcher(doc);
    StringBuilder out = new StringBuilder();
    int found = 0;
    while (m.find()) {
      SettingDefs defs = tables.get(m.group(2));
      assertTrue(defs != null, "no declarations named " + m.group(2));
      m.appendReplacement(
          out, Matcher.quoteReplacement(m.group(1) + defs.markdownTable() + m.group(3)));
      found++;
    }
    m.appendTail(out);
    assertEquals(tables.size(), found, "one generated table per role");
    return out.toString();
  }

  @Test
  void theExampleConfigFileIsAcceptedByTheGateway() throws IOException {
    Matcher example =
        Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
    assertTrue(example.find(), "OPERATIONS.md has a properties example");
    Path dir = Files.createTempDirectory("roomlog-doc");
    Path config = dir.resolve("gateway.properties");
    // The example names files on the operator's machine; point them at real ones.
    Files.writeString(dir.resolve("keys"), "web:s3cret\n");
    Files.writeString(dir.resolve("rules"), "allow 10.0.0.0/8\n");
    Files.writeString(
        config,
        example
            .group(1)
            .replace("/etc/roomlog/api-keys", dir.resolve("keys").toString())
            .replace("/etc/roomlog/ip-rules", dir.resolve("rules").toString()));
    GatewayOptionsTest.Holder holder = new GatewayOptionsTest.Holder();
    new CommandLine(holder).parseArgs("--gateway-config", config.toString());

    GatewaySettings settings = holder.gateway.settings(List.of());

    assertEquals("web", settings.apiKeys().get(0).name());
    assertEquals(20_000, settings.maxConnections());
  }

  private static String shortName(String property) {
    return property.substring("roomlog.gateway.".length());
  }
}
