package dev.roomlog.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
  private static final int BLUE = 0x1f77b4;
  private static final int RED = 0xd62728;
  private static final int GREEN = 0x2ca02c;

  @TempDir Path dir;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void writesBothPlotsAsPngsNamedAfterTheScenario() throws Exception {
    List<Path> files = Plots.write(Results.chat(), dir);
    assertEquals(
        List.of(dir.resolve("chat-latency-by-percentile.png"), dir.resolve("chat-throughput.png")),
        files);
    for (Path f : files) {
      BufferedImage image = ImageIO.read(f.toFile());
      assertEquals(960, image.getWidth());
      assertEquals(560, image.getHeight());
    }
    BufferedImage latency = ImageIO.read(files.get(0).toFile());
    assertTrue(pixelsOf(latency, BLUE) > 100, "the ack curve");
    assertTrue(pixelsOf(latency, RED) > 100, "the delivery curve");
    BufferedImage throughput = ImageIO.read(files.get(1).toFile());
    assertTrue(pixelsOf(throughput, GREEN) > 100, "the delivered line");
    // Sent and acked are nearly equal, so acked (red) is drawn over sent (blue): the legend shows
    // it.
    assertTrue(pixelsOf(throughput, BLUE) > 20, "sent, in the legend at least");
  }

  /** Pixels of about this colour: antialiasing blends a line's edges with the background. */
  private static int pixelsOf(BufferedImage image, int rgb) {
    int n = 0;
    for (int x = 0; x < image.getWidth(); x++) {
      for (int y = 0; y < image.getHeight(); y++) {
        int p = image.getRGB(x, y);
        int d =
            Math.abs(((p >> 16) & 0xFF) - ((rgb >> 16) & 0xFF))
                + Math.abs(((p >> 8) & 0xFF) - ((rgb >> 8) & 0xFF))
                + Math.abs((p & 0xFF) - (rgb & 0xFF));
        if (d < 90) {
          n++;
        }
      }
    }
    return n;
  }

  @Test
  void theLogAxisSpacesNinetyNinetyNineAndSoOnEvenly() {
    assertEquals(0.0, Plots.logPercentileX(0, 1000), 1e-9);
    assertEquals(1.0, Plots.logPercentileX(90, 1000), 1e-9);
    assertEquals(2.0, Plots.logPercentileX(99, 1000), 1e-9);
    assertEquals(
        3.0, Plots.logPercentileX(100, 1000), 1e-9, "100% is drawn where one in a thousand is");
    assertEquals(3.0, Plots.logPercentileX(99.99, 1000), 1e-9, "and nothing beyond it");
  }

  @Test
  void roundTicksCoverTheMaximum() {
    List<Chart.Tick> ticks = Chart.niceTicks(873);
    assertEquals(0.0, ticks.get(0).value());
    assertEquals(1000.0, ticks.get(ticks.size() - 1).value());
    assertEquals("200", ticks.get(1).label());
    assertEquals("0.05", Chart.niceTicks(0.2).get(1).label());
  }
}
