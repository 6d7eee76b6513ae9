package dev.roomlog.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A line chart drawn with plain Java2D into a PNG: a title, two labelled axes with ticks and a
 * grid, lines with a legend. Just enough for the two plots of a run; not thread-safe, one image per
 * instance. Needs no display ({@code java.awt.headless}).
 */
final class Chart {
  /** A labelled position on an axis. */
  record Tick(double value, String label) {}

  private static final int WIDTH = 960;
  private static final int HEIGHT = 560;
  private static final int LEFT = 90;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0xff7f0e),
    new Color(0x9467bd)
  };

  private record Series(String name, double[] xs, double[] ys) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private List<Tick> xTicks;

  Chart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** Fixed x ticks (a log axis labels its own); without them, round numbers are chosen. */
  Chart xTicks(List<Tick> ticks) {
    this.xTicks = List.copyOf(ticks);
    return this;
  }

  Chart line(String name, double[] xs, double[] ys) {
    if (xs.length != ys.length) {
      throw new IllegalArgumentException(
          "series " + name + ": " + xs.length + " x values, " + ys.length + " y values");
    }
    series.add(new Series(name, xs.clone(), ys.clone()));
    return this;
  }

  void write(Path png) throws IOException {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      draw(g);
    } finally {
      g.dispose();
    }
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer in this JVM");
    }
  }

  private void draw(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);

    double xMax = 0;
    double yMax = 0;
    for (Series s : series) {
      for (double x : s.xs()) {
        xMax = Math.max(xMax, x);
      }
      for (double y : s.ys()) {
        yMax = Math.max(yMax, y);
      }
    }
    List<Tick> xs = xTicks != null ? xTicks : niceTicks(xMax);
    for (Tick t : xs) {
      xMax = Math.max(xMax, t.value());
    }
    List<Tick> ys = niceTicks(yMax * 1.05);
    yMax = ys.get(ys.size() - 1).value();
    xMax = xMax > 0 ? xMax : 1;
    yMax = yMax > 0 ? yMax : 1;

    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    final double xm = xMax;
    final double ym = yMax;
    java.util.function.DoubleUnaryOperator px = x -> LEFT + x / xm * plotW;
    java.util.function.DoubleUnaryOperator py = y -> TOP + plotH - y / ym * plotH;

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();
    for (Tick t : xs) {
      int x = (int) Math.round(px.applyAsDouble(t.value()));
      g.setColor(new Color(0xe6e6e6));
      g.drawLine(x, TOP, x, TOP + plotH);
      g.setColor(Color.DARK_GRAY);
      g.drawString(t.label(), x - fm.stringWidth(t.label()) / 2, TOP + plotH + fm.getHeight() + 4);
    }
    for (Tick t : ys) {
      int y = (int) Math.round(py.applyAsDouble(t.value()));
      g.setColor(new Color(0xe6e6e6));
      g.drawLine(LEFT, y, LEFT + plotW, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(t.label(), LEFT - 8 - fm.stringWidth(t.label()), y + fm.getAscent() / 2 - 1);
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, plotW, plotH);
    g.drawString(xLabel, LEFT + (plotW - fm.stringWidth(xLabel)) / 2, HEIGHT - 20);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    rotated.drawString(yLabel, -(TOP + (plotH + fm.stringWidth(yLabel)) / 2), 22);
    rotated.dispose();
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, LEFT, TOP - 18);

    g.setStroke(new BasicStroke(2f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      Color color = PALETTE[i % PALETTE.length];
      g.setColor(color);
      Path2D.Double path = new Path2D.Double();
      for (int k = 0; k < s.xs().length; k++) {
        double x = px.applyAsDouble(s.xs()[k]);
        double y = py.applyAsDouble(s.ys()[k]);
        if (k == 0) {
          path.moveTo(x, y);
        } else {
          path.lineTo(x, y);
        }
      }
      g.draw(path);
      int ly = TOP + 18 + i * 18;
      g.drawLine(LEFT + 12, ly - 4, LEFT + 36, ly - 4);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), LEFT + 42, ly);
    }
  }

  /** Ticks at round steps (1, 2 or 5 times a power of ten) from 0 to at least {@code max}. */
  static List<Tick> niceTicks(double max) {
    double top = max > 0 ? max : 1;
    double raw = top / 5;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = power * (raw / power <= 1 ? 1 : raw / power <= 2 ? 2 : raw / power <= 5 ? 5 : 10);
    List<Tick> ticks = new ArrayList<>();
    for (int i = 0; ; i++) {
      double v = i * step;
      ticks.add(new Tick(v, label(v, step)));
      if (v >= top) {
        return ticks;
      }
    }
  }

  private static String label(double v, double step) {
    if (step >= 1) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    int decimals = (int) Math.ceil(-Math.log10(step));
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
