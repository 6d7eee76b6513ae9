package dev.roomlog.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.roomlog.gateway.AutobahnReport.Result;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutobahnReportTest {
  private static JsonNode index(String json) throws Exception {
    return new ObjectMapper().readTree(json.replace('\'', '"'));
  }

  @Test
  void aCaseThatEchoesRightButClosesWithTheWrongCodeFails() throws Exception {
    Map<String, Result> results =
        AutobahnReport.results(
            index(
                "{'agent': {'4.1.1': {'behavior': 'OK', 'behaviorClose': 'WRONG CODE'},"
                    + " '1.1.1': {'behavior': 'OK', 'behaviorClose': 'OK'}}}"));

    assertEquals(Map.of("1.1.1", Result.OK, "4.1.1", Result.FAILED), results);
  }

  @Test
  void nonStrictAndInformationalPassAndCountAsSuch() throws Exception {
    Map<String, Result> results =
        AutobahnReport.results(
            index(
                "{'agent': {'6.4.3': {'behavior': 'NON-STRICT', 'behaviorClose': 'OK'},"
                    + " '7.13.1': {'behavior': 'INFORMATIONAL',"
                    + " 'behaviorClose': 'INFORMATIONAL'}}}"));

    assertEquals(Map.of("6.4.3", Result.NON_STRICT, "7.13.1", Result.INFORMATIONAL), results);
  }

  @Test
  void tableHasOneRowPerGroupInNumericOrderAndATotal() throws Exception {
    Map<String, Result> results =
        AutobahnReport.results(
            index(
                "{'agent': {'10.1.1': {'behavior': 'OK', 'behaviorClose': 'OK'},"
                    + " '2.1': {'behavior': 'OK', 'behaviorClose': 'OK'},"
                    + " '2.10': {'behavior': 'FAILED', 'behaviorClose': 'OK'}}}"));

    List<String> lines = AutobahnReport.table(results).lines().toList();

    assertEquals(
        List.of(
            "| group | cases | OK | NON-STRICT | INFORMATIONAL | FAILED |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            "| 2.* | 2 | 1 | 0 | 0 | 1 |",
            "| 10.* | 1 | 1 | 0 | 0 | 0 |",
            "| all | 3 | 2 | 0 | 0 | 1 |"),
        lines);
  }
}
