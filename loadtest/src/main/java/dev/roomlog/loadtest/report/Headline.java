package dev.roomlog.loadtest.report;

import java.util.List;
import java.util.Objects;

/**
 * One row of the report's main table: a figure of Roomlog's, beside its baselines, judged against
 * its target.
 *
 * @param id the target's short name (ingest, chat, fanout, connections, restore)
 * @param figure what is measured, and how
 * @param value Roomlog's figure, formatted, or "not measured"
 * @param comparisons the baselines it is set beside, each with the ratio Roomlog / baseline
 * @param target the target, in words
 * @param verdict PASS, MISS or not measured
 * @param finding one sentence: the figure against its target, for the "missed" section
 */
record Headline(
    String id,
    String figure,
    String value,
    List<Comparison> comparisons,
    String target,
    Verdict verdict,
    String finding) {
  Headline {
    Objects.requireNonNull(verdict, "verdict");
    comparisons = List.copyOf(comparisons);
  }

  /** One baseline beside a Roomlog figure. */
  record Comparison(String baseline, String value, String ratio) {}
}
