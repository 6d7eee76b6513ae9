package dev.roomlog.loadtest.report;

/** Whether a figure meets the target in this run. */
enum Verdict {
  PASS("PASS"),
  MISS("MISS"),
  /** A figure or the baseline it is judged against is missing from the results. */
  NOT_MEASURED("not measured"),
  /** A figure the issue asks for without a threshold: reported, not judged. */
  REPORTED("reported");

  final String text;

  Verdict(String text) {
    this.text = text;
  }
}
