package dev.waterfall.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small chart as inline SVG, so a report page is one self-contained file (no script, no CDN). Two
 * kinds: lines over numeric x (optionally log-scaled axes, for sizes spanning 1k to 1M) and grouped
 * bars over categories. Points carry a {@code <title>} so hovering shows the value.
 */
public final class SvgChart {
  private static final String[] COLOURS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"
  };
  private static final int W = 720;
  private static final int PLOT_H = 380;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 90;

  private record Series(String name, double[] x, double[] y) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<String> categories;
  private final List<Series> series = new ArrayList<>();
  private boolean logX;
  private boolean logY;

  private SvgChart(String title, String xLabel, String yLabel, List<String> categories) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.categories = categories;
  }

  /** Lines over numeric x. */
  public static SvgChart lines(String title, String xLabel, String yLabel) {
    return new SvgChart(title, xLabel, yLabel, null);
  }

  /** Grouped bars, one group per category, one bar per series. */
  public static SvgChart bars(String title, String xLabel, String yLabel, List<String> categories) {
    return new SvgChart(title, xLabel, yLabel, List.copyOf(categories));
  }

  public SvgChart logX() {
    this.logX = true;
    return this;
  }

  public SvgChart logY() {
    this.logY = true;
    return this;
  }

  /** A line (x and y of equal length; NaN points are skipped). */
  public SvgChart line(String name, double[] x, double[] y) {
    if (categories != null || x.length != y.length) {
      throw new IllegalArgumentException("line needs a lines chart and x, y of equal length");
    }
    series.add(new Series(name, x.clone(), y.clone()));
    return this;
  }

  /** One bar per category (values in category order; NaN leaves a gap). */
  public SvgChart bar(String name, double[] values) {
    if (categories == null || values.length != categories.size()) {
      throw new IllegalArgumentException("bar needs a bars chart and one value per category");
    }
    series.add(new Series(name, null, values.clone()));
    return this;
  }

  public String title() {
    return title;
  }

  public boolean isEmpty() {
    return series.isEmpty();
  }

  public String svg() {
    // Legend entries flow left to right and wrap; the chart grows by a row for each extra line.
    List<double[]> legend = new ArrayList<>();
    double lx = LEFT;
    int row = 0;
    for (Series se : series) {
      double w = 28 + 7 * se.name().length();
      if (lx + w > W - RIGHT && lx > LEFT) {
        row++;
        lx = LEFT;
      }
      legend.add(new double[] {lx, row});
      lx += w;
    }
    final int H = PLOT_H + 18 * row;
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                + "height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">",
            W,
            H,
            W,
            H));
    s.append(text(W / 2.0, 22, "middle", "font-size=\"15\" font-weight=\"bold\"", title));
    double[] yr = yRange();
    double x0 = LEFT;
    double x1 = W - RIGHT;
    double y0 = PLOT_H - BOTTOM;
    double y1 = TOP;
    s.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                + "stroke=\"#999\"/>",
            x0,
            y1,
            x1 - x0,
            y0 - y1));
    for (double t : ticks(yr[0], yr[1], logY)) {
      double py = scale(t, yr[0], yr[1], logY, y0, y1);
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
              x0,
              x1,
              py,
              py));
      s.append(text(x0 - 6, py + 4, "end", "", format(t)));
    }
    s.append(text(W / 2.0, PLOT_H - 42, "middle", "", xLabel));
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">"
                + "%s</text>",
            (y0 + y1) / 2,
            (y0 + y1) / 2,
            escape(yLabel)));
    if (categories == null) {
      drawLines(s, yr, x0, x1, y0, y1);
    } else {
      drawBars(s, yr, x0, x1, y0, y1);
    }
    for (int i = 0; i < series.size(); i++) {
      String c = COLOURS[i % COLOURS.length];
      double ex = legend.get(i)[0];
      double ey = PLOT_H - 22 + 18 * legend.get(i)[1];
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>",
              ex,
              ey,
              c));
      s.append(text(ex + 16, ey + 10, "start", "", series.get(i).name()));
    }
    return s.append("</svg>").toString();
  }

  private void drawLines(StringBuilder s, double[] yr, double x0, double x1, double y0, double y1) {
    double xmin = Double.POSITIVE_INFINITY;
    double xmax = Double.NEGATIVE_INFINITY;
    for (Series se : series) {
      for (double v : se.x()) {
        if (!Double.isNaN(v) && (!logX || v > 0)) {
          xmin = Math.min(xmin, v);
          xmax = Math.max(xmax, v);
        }
      }
    }
    if (xmin > xmax) {
      return;
    }
    if (xmin == xmax) {
      xmin = logX ? xmin / 10 : xmin - 1;
      xmax = logX ? xmax * 10 : xmax + 1;
    }
    boolean wholeX =
        series.stream()
            .allMatch(
                se ->
                    java.util.Arrays.stream(se.x())
                        .allMatch(v -> Double.isNaN(v) || v == Math.rint(v)));
    for (double t : ticks(xmin, xmax, logX)) {
      if (wholeX && t != Math.rint(t)) {
        continue; // depths, counts: no tick between two whole numbers
      }
      double px = scale(t, xmin, xmax, logX, x0, x1);
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
              px,
              px,
              y0,
              y1));
      s.append(text(px, y0 + 16, "middle", "", format(t)));
    }
    for (int i = 0; i < series.size(); i++) {
      Series se = series.get(i);
      String c = COLOURS[i % COLOURS.length];
      StringBuilder points = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (int k = 0; k < se.x().length; k++) {
        if (Double.isNaN(se.x()[k])
            || Double.isNaN(se.y()[k])
            || logX && se.x()[k] <= 0
            || logY && se.y()[k] <= 0) {
          continue;
        }
        double px = scale(se.x()[k], xmin, xmax, logX, x0, x1);
        double py = scale(se.y()[k], yr[0], yr[1], logY, y0, y1);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        dots.append(
            String.format(
                Locale.ROOT,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s: %s → %s"
                    + "</title></circle>",
                px,
                py,
                c,
                escape(se.name()),
                format(se.x()[k]),
                format(se.y()[k])));
      }
      s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(c)
          .append("\" points=\"")
          .append(points.toString().trim())
          .append("\"/>")
          .append(dots);
    }
  }

  private void drawBars(StringBuilder s, double[] yr, double x0, double x1, double y0, double y1) {
    int groups = categories.size();
    double groupWidth = (x1 - x0) / Math.max(1, groups);
    double barWidth = groupWidth * 0.8 / Math.max(1, series.size());
    for (int g = 0; g < groups; g++) {
      double gx = x0 + g * groupWidth;
      // A label too wide for its group is split at ", " onto lines.
      String label = categories.get(g);
      String[] lines =
          7 * label.length() > groupWidth ? label.split(", ", 2) : new String[] {label};
      for (int l = 0; l < lines.length; l++) {
        s.append(
            text(
                gx + groupWidth / 2,
                y0 + 16 + 13 * l,
                "middle",
                lines.length > 1 ? "font-size=\"11\"" : "",
                lines[l]));
      }
      for (int i = 0; i < series.size(); i++) {
        double v = series.get(i).y()[g];
        if (Double.isNaN(v) || logY && v <= 0) {
          continue;
        }
        double py = scale(v, yr[0], yr[1], logY, y0, y1);
        double bx = gx + groupWidth * 0.1 + i * barWidth;
        s.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    + "<title>%s, %s: %s</title></rect>",
                bx,
                py,
                Math.max(1, barWidth - 2),
                Math.max(0, y0 - py),
                COLOURS[i % COLOURS.length],
                escape(series.get(i).name()),
                escape(categories.get(g)),
                format(v)));
      }
    }
  }

  /**
   * y from 0 (linear) or from the decade below the smallest value (log) to a little above the
   * largest.
   */
  private double[] yRange() {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Series se : series) {
      for (double v : se.y()) {
        if (!Double.isNaN(v) && (!logY || v > 0)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    if (min > max) {
      return logY ? new double[] {1, 10} : new double[] {0, 1};
    }
    if (logY) {
      return new double[] {
        Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max * 1.0001)))
      };
    }
    double lo = Math.min(0, min);
    double hi = max <= lo ? lo + 1 : max * 1.08;
    return new double[] {lo, hi};
  }

  static List<Double> ticks(double min, double max, boolean log) {
    List<Double> out = new ArrayList<>();
    if (log) {
      for (double t = Math.pow(10, Math.ceil(Math.log10(min) - 1e-9)); t <= max * 1.0001; t *= 10) {
        out.add(t);
      }
      return out;
    }
    double raw = (max - min) / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step =
        raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    for (double t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
      out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return out;
  }

  private static double scale(
      double v, double min, double max, boolean log, double from, double to) {
    double f =
        log
            ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
            : (v - min) / (max - min);
    return from + f * (to - from);
  }

  public static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      long l = (long) v;
      if (l != 0 && l % 1_000_000 == 0) {
        return (l / 1_000_000) + "M";
      }
      if (l != 0 && l % 1000 == 0 && Math.abs(l) >= 1000) {
        return (l / 1000) + "k";
      }
      return Long.toString(l);
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : Math.abs(v) >= 1
            ? String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.?0+$", "")
            : String.format(Locale.ROOT, "%.3g", v);
  }

  private static String text(double x, double y, String anchor, String attrs, String body) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>",
        x,
        y,
        anchor,
        attrs,
        escape(body));
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
