using Aha.Data;
using Aha.R1Zero;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tools;

namespace Aha.Tests.R1Zero;

public sealed class ToolArithmeticTests
{
    [Fact]
    public void Problems_AreProductsOfTwo2DigitNumbers_OrSumsOfThree3DigitNumbers_WithExactAnswers()
    {
        var task = R1ZeroTasks.Create("tool-arithmetic", 200, 50, seed: 1);
        Assert.NotNull(task.Environment);
        var calculator = new CalculatorTool();
        foreach (var p in task.Train.Concat(task.Test))
        {
            var e = ArithmeticSolutions.Expression(p);
            Assert.Matches(@"^(\d{2}\*\d{2}|\d{3}\+\d{3}\+\d{3})$", e);
            Assert.Equal(p.Answer, calculator.Evaluate(e));
        }
        Assert.Empty(task.Train.Select(p => p.Prompt).Intersect(task.Test.Select(p => p.Prompt)));
    }

    [Fact]
    public void CorpusSolutions_AreTheHandWrittenCall_OrARestatedGuessOffBy1To20_RightAboutAsOftenAsDirectCorrectRate()
    {
        var problem = new PromptItem("p", "47*38=", "1786");
        var writer = new ToolArithmeticSolutions(toolShare: 0.5);
        var rng = new SeededRandom(3);
        var options = new CorpusOptions();
        var calculator = new ToolBox([new CalculatorTool()]);
        int tool = 0, mental = 0, mentalRight = 0;
        for (int i = 0; i < 400; i++)
        {
            var s = writer.Write(problem, rng, options);
            if (s.Kind == "tool")
            {
                tool++;
                // 47·38 = 1786 (40·38 = 1520, 7·38 = 266); the Hermes call written out by hand.
                Assert.Equal("<tool_call>{\"name\":\"calculator\",\"arguments\":{\"expression\":\"47*38\"}}</tool_call>" +
                             "<tool_response>1786</tool_response><answer>1786</answer>", s.Completion);
                Assert.True(s.AnswerCorrect);
                Assert.Equal("1786", calculator.Call(Assert.Single(ToolCallParser.Parse(s.Completion))).Text);
            }
            else
            {
                Assert.Equal("mental", s.Kind);
                mental++;
                var m = System.Text.RegularExpressions.Regex.Match(s.Completion, @"^<think>47\*38=(\d+)</think><answer>(\d+)</answer>$");
                Assert.True(m.Success, s.Completion);
                Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);                  // the answer copies the stated value
                int guess = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(guess == 1786, s.AnswerCorrect);
                Assert.InRange(Math.Abs(guess - 1786), 0, 20);
                if (s.AnswerCorrect) mentalRight++;
                Assert.Empty(ToolCallParser.Parse(s.Completion));
            }
        }
        Assert.InRange(tool, 150, 250);                                  // share 0.5 of 400: ±5 standard deviations
        Assert.InRange(mentalRight / (double)mental, 0.2, 0.4);          // DirectCorrectRate 0.3
    }

    [Fact]
    public void DemoTokenizer_OpensAndClosesACallWithOneTokenEach_SoCallAndRestatementCopyThePromptAtTheSameDistance()
    {
        const string prompt = "47*38=";
        const string call = "<tool_call>{\"name\":\"calculator\",\"arguments\":{\"expression\":\"47*38\"}}</tool_call><tool_response>1786</tool_response><answer>1786</answer>";
        const string mental = "<think>47*38=1790</think><answer>1790</answer>";
        string[] added = [.. CharTokenizer.DefaultAddedTokens, .. ToolArithmetic.AddedTokens];
        var tokenizer = CharTokenizer.Create(CharAlphabet.Of([prompt + call, prompt + mental], added), addedTokens: added);
        string[] Pieces(string text) => tokenizer.Encode(text).Select(id => tokenizer.Decode([id])).ToArray();

        // By hand: 6 prompt characters; then one token opens the call (or the think block); the expression's 5
        // characters follow at positions 7–11, i.e. 7 positions after their copies in the prompt, in both documents.
        var callPieces = Pieces(prompt + call);
        Assert.Equal(["4", "7", "*", "3", "8", "=",
                      "<tool_call>{\"name\":\"calculator\",\"arguments\":{\"expression\":\"", "4", "7", "*", "3", "8", "\"}}</tool_call>",
                      "<tool_response>", "1", "7", "8", "6", "</tool_response>", "<answer>", "1", "7", "8", "6", "</answer>"], callPieces);
        var mentalPieces = Pieces(prompt + mental);
        Assert.Equal(["4", "7", "*", "3", "8", "=", "<think>", "4", "7", "*", "3", "8", "=",
                      "1", "7", "9", "0", "</think>", "<answer>", "1", "7", "9", "0", "</answer>"], mentalPieces);
        // The answer copies the value 6 positions back in both (4 digits and 2 tags): call 14–17 → 20–23, mental 13–16 → 19–22.
        Assert.Equal(callPieces[14..18], callPieces[20..24]);
        Assert.Equal(mentalPieces[13..17], mentalPieces[19..23]);
        Assert.Equal(call, tokenizer.Decode(tokenizer.Encode(call)));
    }

    [Fact]
    public void ToolTask_HasNoFormatBonus_OthersKeepDeepSeekR1s()
    {
        Assert.Equal(0, R1ZeroTasks.Create("tool-arithmetic", 10, 5, seed: 0).FormatBonus);
        Assert.Equal(0.1, R1ZeroTasks.Create("arithmetic", 10, 5, seed: 0).FormatBonus);
    }
}
