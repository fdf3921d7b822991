using System.Globalization;
using System.Text;
using System.Text.Json;
using Aha.IO;
using ScottPlot;

namespace Aha.Evaluation;

/// <summary>One model's compute-scaling curve, labelled for the table and the plot (e.g. <c>base</c>, <c>rl</c>).</summary>
public sealed record ScalingSeries(string Label, EvaluationReport Report);

/// <summary>
/// Writes the compute-scaling table and plot of one or more evaluated models: <c>compute_scaling.md</c> (a Markdown
/// table), <c>compute_scaling.json</c> and <c>compute_scaling.png</c> (accuracy against N on a log₂ axis; one colour
/// per metric, one line style per model).
/// </summary>
public static class ScalingFigures
{
    public const string TableFile = "compute_scaling.md", JsonFile = "compute_scaling.json", PlotFile = "compute_scaling.png";

    /// <summary>How the three columns are computed, for the table's footnote and the JSON.</summary>
    public const string Method =
        "pass@N: unbiased estimator 1 − C(K−c, N)/C(K, N); best-of-N: exact mean over all N-subsets of the K samples " +
        "(the top-scored sample of the subset, ties to the earlier sample); maj@N: mean over the ⌊K/N⌋ disjoint blocks " +
        "of N consecutive samples. All from the same K samples per problem.";

    /// <summary>Writes the three files into <paramref name="dir"/> (created if missing); returns their paths.</summary>
    public static IReadOnlyList<string> Write(string dir, IReadOnlyList<ScalingSeries> series, string title = "Test-time compute")
    {
        Check(series);
        Directory.CreateDirectory(dir);
        var (md, json, png) = (Path.Combine(dir, TableFile), Path.Combine(dir, JsonFile), Path.Combine(dir, PlotFile));
        AtomicFile.WriteText(md, Markdown(series));
        AtomicFile.WriteText(json, Json(series));
        var bytes = Plot(series, title);
        AtomicFile.Write(png, s => s.Write(bytes));
        return [md, json, png];
    }

    /// <summary>One row per N; per model the columns pass@N, maj@N and best-of-N (in %, one decimal).</summary>
    public static string Markdown(IReadOnlyList<ScalingSeries> series)
    {
        Check(series);
        var budgets = series[0].Report.Scaling.Select(p => p.N).ToList();
        var sb = new StringBuilder("| N |");
        foreach (var s in series) sb.Append($" {s.Label} pass@N | {s.Label} maj@N | {s.Label} best-of-N ({s.Report.Scorer}) |");
        sb.Append("\n|---:|").Append(string.Concat(Enumerable.Repeat("---:|", 3 * series.Count))).Append('\n');
        for (int i = 0; i < budgets.Count; i++)
        {
            sb.Append($"| {budgets[i]} |");
            foreach (var s in series)
            {
                var p = s.Report.Scaling[i];
                sb.Append($" {Percent(p.PassAtN)} | {Percent(p.MajAtN)} | {Percent(p.BestOfN)} |");
            }
            sb.Append('\n');
        }
        var r = series[0].Report;
        sb.Append($"\n{r.ProblemCount} held-out problems, K = {r.K} samples each. {Method}\n");
        return sb.ToString();
    }

    /// <summary>The table as JSON (snake_case), with the method and each model's scorer.</summary>
    public static string Json(IReadOnlyList<ScalingSeries> series)
    {
        Check(series);
        var doc = new
        {
            samples_per_problem = series[0].Report.K,
            problems = series[0].Report.ProblemCount,
            method = Method,
            models = series.Select(s => new
            {
                label = s.Label, scorer = s.Report.Scorer,
                points = s.Report.Scaling.Select(p => new { n = p.N, pass_at_n = p.PassAtN, maj_at_n = p.MajAtN, best_of_n = p.BestOfN }),
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The plot as PNG bytes: x = N on a log₂ axis, y = accuracy in %.</summary>
    public static byte[] Plot(IReadOnlyList<ScalingSeries> series, string title, int width = 800, int height = 500)
    {
        Check(series);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
        (string Name, Func<ScalingPoint, double> Value)[] metrics = [("pass@N", p => p.PassAtN), ("maj@N", p => p.MajAtN), ("best-of-N", p => p.BestOfN)];
        for (int s = 0; s < series.Count; s++)
        {
            var points = series[s].Report.Scaling;
            double[] xs = points.Select(p => Math.Log2(p.N)).ToArray();
            for (int m = 0; m < metrics.Length; m++)
            {
                var line = plot.Add.Scatter(xs, points.Select(p => 100 * metrics[m].Value(p)).ToArray());
                line.LegendText = series.Count == 1 ? metrics[m].Name : $"{series[s].Label} {metrics[m].Name}";
                line.Color = palette.GetColor(m);
                line.LinePattern = patterns[s % patterns.Length];
                line.LineWidth = 2;
                line.MarkerSize = 5;
            }
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var n in series[0].Report.Scaling.Select(p => p.N)) ticks.AddMajor(Math.Log2(n), n.ToString(CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsY(0, 100);
        plot.Title(title);
        plot.XLabel("samples per problem N (log scale)");
        plot.YLabel("held-out accuracy (%)");
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    static string Percent(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture);

    static void Check(IReadOnlyList<ScalingSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0) throw new ArgumentException("No series to write.", nameof(series));
        var budgets = series[0].Report.Scaling.Select(p => p.N).ToList();
        if (budgets.Count == 0) throw new ArgumentException($"'{series[0].Label}' has no scaling table.", nameof(series));
        foreach (var s in series.Skip(1))
            if (!s.Report.Scaling.Select(p => p.N).SequenceEqual(budgets))
                throw new ArgumentException($"'{s.Label}' was evaluated at other N than '{series[0].Label}'; compare at the same K.", nameof(series));
    }
}
