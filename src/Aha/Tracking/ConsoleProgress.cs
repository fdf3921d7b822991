using System.Collections.Concurrent;
using Spectre.Console;

namespace Aha.Tracking;

/// <summary>
/// Training progress on the console. On an interactive terminal: a Spectre.Console live progress bar (step, percent,
/// ETA, and reward/accuracy/KL/entropy/tokens per second in its description), with messages printed above it. When
/// output is redirected (CI logs, files) or <c>interactive: false</c>: one plain line per step and per message.
/// </summary>
public sealed class ConsoleProgress : IDisposable
{
    private readonly TextWriter _out;
    private readonly int _totalSteps;
    private readonly TimeProvider _time;
    private readonly long _start;
    private int? _firstStep;
    private readonly LiveBar? _live;

    /// <summary>Starts the display (the live bar's render thread, when live).</summary>
    /// <param name="totalSteps">The step count of the run (for percent and ETA); ≥ 1.</param>
    /// <param name="output">Where to write; <see cref="Console.Out"/> when null.</param>
    /// <param name="interactive">Live bar or plain lines; when null, live only if <paramref name="output"/> is null
    /// and the console is an interactive, unredirected terminal.</param>
    /// <param name="time">Clock for the ETA (tests inject a fake one); the system clock when null.</param>
    public ConsoleProgress(int totalSteps, TextWriter? output = null, bool? interactive = null, TimeProvider? time = null)
    {
        if (totalSteps < 1) throw new ArgumentException($"totalSteps must be ≥ 1, got {totalSteps}.", nameof(totalSteps));
        _totalSteps = totalSteps;
        _out = output ?? Console.Out;
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
        bool live = interactive ?? (output is null && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);
        if (live) _live = new LiveBar(_out, totalSteps);
    }

    /// <summary>True when drawing the live bar, false when writing plain lines.</summary>
    public bool IsLive => _live is not null;

    /// <summary>Shows the state after <paramref name="step"/> (1-based count of finished steps).</summary>
    public void Update(int step, IReadOnlyDictionary<string, double> metrics)
    {
        var summary = StepSummary.Format(metrics);
        if (_live is not null)
        {
            _live.Update(step, $"step {step}/{_totalSteps} {summary}");
            return;
        }
        _firstStep ??= step - 1;
        var elapsed = _time.GetElapsedTime(_start);
        int done = step - _firstStep.Value;
        TimeSpan? eta = done > 0 ? elapsed / done * Math.Max(0, _totalSteps - step) : null;
        var head = summary.Length == 0 ? $"step {step}/{_totalSteps}" : $"step {step}/{_totalSteps} {summary}";
        _out.WriteLine($"{head} | elapsed {StepSummary.Duration(elapsed)} eta {StepSummary.Duration(eta)}");
        _out.Flush();
    }

    /// <summary>Prints a message (above the live bar when there is one).</summary>
    public void WriteMessage(TrainingMessageLevel level, string text)
    {
        var line = level == TrainingMessageLevel.Warning ? $"[warning] {text}" : $"[info] {text}";
        if (_live is not null) _live.Message(level, line);
        else
        {
            _out.WriteLine(line);
            _out.Flush();
        }
    }

    /// <summary>Finishes the live bar (leaving its last state on screen) or flushes the plain output.</summary>
    public void Dispose()
    {
        if (_live is not null) _live.Dispose();
        else _out.Flush();
    }

    /// <summary>Spectre's progress display runs on its own thread; updates and messages are handed to it.</summary>
    private sealed class LiveBar : IDisposable
    {
        private readonly ConcurrentQueue<(TrainingMessageLevel Level, string Text)> _messages = new();
        private readonly ManualResetEventSlim _ready = new();
        private readonly ManualResetEventSlim _wake = new();
        private readonly Task _worker;
        private volatile bool _done;
        private ProgressTask? _task;

        public LiveBar(TextWriter output, int totalSteps)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Yes,
                Interactive = InteractionSupport.Yes,
                ColorSystem = ColorSystemSupport.Standard,
                Out = new AnsiConsoleOutput(output),
            });
            _worker = Task.Factory.StartNew(() => Run(console, totalSteps), TaskCreationOptions.LongRunning);
            _ready.Wait();
            if (_task is null) _worker.GetAwaiter().GetResult(); // the display failed to start: surface why
        }

        private void Run(IAnsiConsole console, int totalSteps)
        {
            try
            {
                console.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                        new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        _task = ctx.AddTask("starting", maxValue: totalSteps);
                        _ready.Set();
                        while (true)
                        {
                            _wake.Wait(TimeSpan.FromMilliseconds(200));
                            _wake.Reset();
                            bool finishing = _done; // read before draining, so no message queued before Dispose is lost
                            while (_messages.TryDequeue(out var m))
                            {
                                var color = m.Level == TrainingMessageLevel.Warning ? "yellow" : "grey";
                                console.MarkupLine($"[{color}]{Markup.Escape(m.Text)}[/]");
                            }
                            if (finishing) break;
                        }
                        ctx.Refresh();
                    });
            }
            finally
            {
                _ready.Set();
            }
        }

        public void Update(int step, string description)
        {
            _task!.Value = step;
            _task.Description = Markup.Escape(description);
        }

        public void Message(TrainingMessageLevel level, string text)
        {
            _messages.Enqueue((level, text));
            _wake.Set();
        }

        public void Dispose()
        {
            _done = true;
            _wake.Set();
            _worker.Wait();
            _ready.Dispose();
            _wake.Dispose();
        }
    }
}
