using Aha.Data;
using Aha.R1Zero;
using Aha.Rewards;
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
    public void CorpusToolSolutions_CallTheCalculatorCorrectly_AndMentalOnesAreOftenWrong()
    {
        var problem = new PromptItem("p", "47*38=", "1786");
        var writer = new ToolArithmeticSolutions(toolShare: 0.5);
        var rng = new SeededRandom(3);
        var options = new CorpusOptions();
        int tool = 0, direct = 0, directRight = 0;
        for (int i = 0; i < 400; i++)
        {
            var s = writer.Write(problem, rng, options);
            if (s.Kind == "tool")
            {
                tool++;
                var call = Assert.Single(ToolCallParser.Parse(s.Completion));
                Assert.Equal("1786", new ToolBox([new CalculatorTool()]).Call(call).Text);   // 47·38 = 1786
                Assert.EndsWith("<tool_response>1786</tool_response><answer>1786</answer>", s.Completion);
            }
            else
            {
                direct++;
                if (s.AnswerCorrect) directRight++;
                Assert.Empty(ToolCallParser.Parse(s.Completion));
            }
        }
        Assert.InRange(tool, 150, 250);                                  // share 0.5 of 400
        Assert.InRange(directRight / (double)direct, 0.2, 0.4);          // DirectCorrectRate 0.3
    }
}
