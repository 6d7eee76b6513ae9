package dev.roomlog.loadtest.report;

import java.util.ArrayList;
import java.util.List;

/** A GitHub-flavoured Markdown table, built row by row; '|' in a cell is escaped. */
final class MarkdownTable {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  MarkdownTable(String... header) {
    this.header = List.of(header);
  }

  MarkdownTable row(String... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException(
          "a row of " + header.size() + " cells expected, got " + cells.length);
    }
    rows.add(List.of(cells));
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  String render() {
    StringBuilder b = new StringBuilder();
    line(b, header);
    List<String> rule = new ArrayList<>();
    for (int i = 0; i < header.size(); i++) {
      rule.add("---");
    }
    line(b, rule);
    for (List<String> row : rows) {
      line(b, row);
    }
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells) {
    b.append('|');
    for (String c : cells) {
      b.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
    }
    b.append('\n');
  }
}
