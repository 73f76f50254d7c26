package dev.gantry.bench.report;

import java.util.Locale;

/**
 * Builds inline SVG markup for the HTML report: the few shapes the charts use, with their text
 * escaped, and no reference to anything outside the page.
 */
final class Svg {
  private final StringBuilder body = new StringBuilder();
  private final int width;
  private final int height;

  Svg(int width, int height) {
    this.width = width;
    this.height = height;
  }

  Svg line(double x1, double y1, double x2, double y2, String color, double strokeWidth) {
    body.append(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>",
        x1, y1, x2, y2, color, strokeWidth));
    return this;
  }

  Svg rect(double x, double y, double w, double h, String color, String title) {
    body.append(String.format(Locale.ROOT,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s</title></rect>",
        x, y, Math.max(0, w), Math.max(0, h), color, Html.escape(title)));
    return this;
  }

  Svg circle(double x, double y, double r, String color, String title) {
    body.append(String.format(Locale.ROOT,
        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"><title>%s</title></circle>",
        x, y, r, color, Html.escape(title)));
    return this;
  }

  /** An unfilled ring, of class {@code cls} (for the page's readers and its tests). */
  Svg ring(double x, double y, double r, String color, String cls, String title) {
    body.append(String.format(Locale.ROOT,
        "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\" "
            + "stroke-width=\"1.5\"><title>%s</title></circle>",
        cls, x, y, r, color, Html.escape(title)));
    return this;
  }

  Svg polyline(double[] xs, double[] ys, String color) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < xs.length; i++) {
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], ys[i]));
    }
    body.append("<polyline fill=\"none\" stroke=\"").append(color)
        .append("\" stroke-width=\"2\" points=\"").append(points.toString().trim()).append("\"/>");
    return this;
  }

  /** Text anchored at {@code anchor}: start, middle or end. */
  Svg text(double x, double y, String text, String anchor) {
    body.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"%s\">%s</text>",
        x, y, anchor, Html.escape(text)));
    return this;
  }

  @Override
  public String toString() {
    return "<svg width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " "
        + height + "\" role=\"img\" font-family=\"sans-serif\">" + body + "</svg>";
  }
}
