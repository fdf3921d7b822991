using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Aha.Rewards;

namespace Aha.Cli.Commands;

/// <summary>
/// <c>aha reward --fn NAME --completion TEXT [--answer TEXT] [--numbers 3,7,25 --target 125]</c>: scores one
/// completion with a built-in reward and prints one JSON line {"fn","score","extracted","reason"} (score null when
/// not applicable). <c>--completion -</c> reads the completion from standard input.
/// </summary>
internal static class RewardCommand
{
    internal static Command Create()
    {
        var fn = new Option<string>("--fn") { Description = $"Reward function: {string.Join(", ", BuiltInRewards.Names)}.", Required = true };
        fn.AcceptOnlyFromAmong([.. BuiltInRewards.Names]);
        var completion = new Option<string>("--completion") { Description = "The completion text ('-' reads standard input).", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "The prompt (optional).", DefaultValueFactory = _ => "" };
        var answer = new Option<string?>("--answer") { Description = "Ground-truth answer (math)." };
        var numbers = new Option<string?>("--numbers") { Description = "Countdown numbers, e.g. 3,7,25." };
        var target = new Option<string?>("--target") { Description = "Countdown target, e.g. 125." };
        var tokens = new Option<int?>("--tokens") { Description = "Completion length in tokens (overlong; default: characters)." };
        var maxLength = new Option<int>("--max-length") { Description = "Overlong L_max.", DefaultValueFactory = _ => 1024 };
        var buffer = new Option<int>("--buffer") { Description = "Overlong soft buffer L_buf (default L_max/5).", DefaultValueFactory = _ => 0 };
        var penalty = new Option<double>("--penalty") { Description = "Overlong λ.", DefaultValueFactory = _ => 1.0 };
        var mode = new Option<string>("--mode") { Description = "Overlong mode: soft or hard.", DefaultValueFactory = _ => "soft" };
        mode.AcceptOnlyFromAmong("soft", "hard");
        var bonus = new Option<double>("--bonus") { Description = "Format/think bonus.", DefaultValueFactory = _ => 0.1 };
        var formatScore = new Option<double>("--format-score") { Description = "Countdown score for a well-formed wrong answer.", DefaultValueFactory = _ => 0.1 };

        var command = new Command("reward", "Score one completion with a built-in reward and print one JSON line.")
        {
            fn, completion, prompt, answer, numbers, target, tokens, maxLength, buffer, penalty, mode, bonus, formatScore,
        };
        command.SetAction(parse => CliRun.Run(parse, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            var options = new BuiltInRewardOptions
            {
                FormatBonus = parse.GetValue(bonus),
                CountdownFormatScore = parse.GetValue(formatScore),
                MaxLength = parse.GetValue(maxLength),
                Buffer = parse.GetValue(buffer),
                Penalty = parse.GetValue(penalty),
                OverlongMode = parse.GetValue(mode) == "hard" ? OverlongMode.Hard : OverlongMode.Soft,
            };
            var name = parse.GetValue(fn)!;
            var reward = BuiltInRewards.Create(name, options);
            var text = parse.GetValue(completion)!;
            if (text == "-") text = Console.In.ReadToEnd();
            var metadata = new Dictionary<string, string>();
            if (parse.GetValue(numbers) is { } n) metadata["numbers"] = n;
            if (parse.GetValue(target) is { } t) metadata["target"] = t;
            var sample = new RewardSample(parse.GetValue(prompt) ?? "", text, parse.GetValue(answer), metadata, parse.GetValue(tokens));
            var score = reward.Score(sample);
            output.WriteLine(ToJson(name, score));
        }));
        return command;
    }

    internal static string ToJson(string name, RewardScore score)
    {
        var payload = new Dictionary<string, object?>
        {
            ["fn"] = name,
            ["score"] = score.Value,
            ["extracted"] = score.ExtractedAnswer,
            ["reason"] = score.Reason,
        };
        return JsonSerializer.Serialize(payload, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
