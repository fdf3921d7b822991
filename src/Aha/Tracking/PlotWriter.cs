using Aha.IO;
using ScottPlot;

namespace Aha.Tracking;

/// <summary>
/// Draws metric curves (x = step) as PNG line plots with ScottPlot 5, one file per <see cref="PlotGroup"/> that has
/// at least one finite value. Rendering is headless (SkiaSharp's bundled native library; no display needed).
/// Files are written atomically, so a reader never sees a half-written PNG.
/// </summary>
public static class PlotWriter
{
    /// <summary>Writes <c>&lt;dir&gt;/&lt;group&gt;.png</c> for each group with data; returns the paths written.</summary>
    /// <param name="dir">Output folder (created if missing).</param>
    /// <param name="rows">The metric history, e.g. <see cref="MetricsWriter.Rows"/>.</param>
    /// <param name="groups">The plots to draw; <see cref="PlotGroup.Defaults"/> when null.</param>
    /// <param name="width">Image width in pixels (default 800).</param>
    /// <param name="height">Image height in pixels (default 450).</param>
    public static IReadOnlyList<string> Write(string dir, IReadOnlyList<MetricRow> rows,
        IReadOnlyList<PlotGroup>? groups = null, int width = 800, int height = 450)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (width < 1 || height < 1) throw new ArgumentException($"Plot size must be positive, got {width}×{height}.", nameof(width));
        var names = rows.SelectMany(r => r.Values.Keys).Distinct().ToList();
        var written = new List<string>();
        foreach (var group in groups ?? PlotGroup.Defaults)
        {
            var plot = new Plot();
            int curves = 0;
            foreach (var metric in group.Select(names))
            {
                var points = rows.Where(r => r.Values.TryGetValue(metric, out var v) && double.IsFinite(v)).ToList();
                if (points.Count == 0) continue;
                double[] xs = points.Select(r => (double)r.Step).ToArray();
                double[] ys = points.Select(r => r.Values[metric]).ToArray();
                var scatter = plot.Add.Scatter(xs, ys);
                scatter.LegendText = metric;
                scatter.MarkerSize = xs.Length > 40 ? 0 : 4;
                scatter.LineWidth = 2;
                curves++;
            }
            if (curves == 0) continue;
            plot.Title(group.Title);
            plot.XLabel("step");
            plot.ShowLegend();
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, group.Name + ".png");
            byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
            AtomicFile.Write(path, s => s.Write(png));
            written.Add(path);
        }
        return written;
    }
}
