using Aha.Data;
using Aha.Environments;
using Aha.Generation;
using Aha.Tokenization;
using Aha.Tools;

namespace Aha.Tests.Tools;

public sealed class ToolEnvironmentTests
{
    static readonly PromptItem Item = new("p", "12*34=", "408");

    [Fact]
    public void ToolCall_GetsTheResult_AndATurnWithoutACall_EndsTheEpisode()
    {
        using var env = new ToolEnvironment(new ToolBox([new CalculatorTool()]), ToolEnvironment.RawPrompt);
        Assert.Equal([ChatMessage.User("12*34=")], env.Reset(Item));
        var step = env.Step("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"12*34\"}}</tool_call>");
        Assert.False(step.Done);
        Assert.Equal([ToolMessages.Result("408")], step.Observation);
        Assert.Equal((1, 0), (step.ToolCalls, step.ToolErrors));
        var last = env.Step("<answer>408</answer>");
        Assert.True(last.Done);
        Assert.Equal(0, last.ToolCalls);
    }

    [Fact]
    public void MalformedCall_IsAnObservationTellingTheModel()
    {
        using var env = new ToolEnvironment(new ToolBox([new CalculatorTool()]), ToolEnvironment.RawPrompt);
        env.Reset(Item);
        var step = env.Step("<tool_call>{\"name\": \"calculator\", \"arguments\": {\"expression\": \"12*\"}}</tool_call><tool_call>{oops}</tool_call>");
        Assert.False(step.Done);
        Assert.Equal((2, 2), (step.ToolCalls, step.ToolErrors));
        Assert.All(step.Observation, m => Assert.StartsWith("error: ", m.Content));
    }

    /// <summary>Replays fixed turns, whatever it is asked.</summary>
    sealed class ScriptedEngine(ITokenizer tokenizer, params string[] turns) : IRolloutEngine
    {
        int _turn;
        public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
        {
            var ids = tokenizer.Encode(turns[_turn++]).ToArray();
            return prompts.Select(p => new Completion(p, ids, new float[ids.Length], ids[^1] == tokenizer.EosTokenId ? FinishReason.Eos : FinishReason.StopString)).ToList();
        }
    }

    [Fact]
    public void ChatMlRollout_AppendsTheToolResponseTurn_AsQwensTemplateWritesIt()
    {
        var tokenizer = CharTokenizer.Create("abcdefghijklmnopqrstuvwxyz0123456789{}\":,*= \n_<>/|",
            specialTokens: ["<pad>", "<|im_end|>", "<|im_start|>"], addedTokens: []);
        const string call = "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"12*34\"}}\n</tool_call>";
        var engine = new ScriptedEngine(tokenizer, call, "it is 408<|im_end|>");
        var box = new ToolBox([new CalculatorTool()]);
        var rollout = new MultiTurnRollout(engine, tokenizer, new ToolEnvironmentFactory(box, i => [ChatMessage.User(i.Prompt)]), ChatMlTurnFormat.Instance);
        var t = rollout.Run([Item], new SamplingParams()).Single();

        // Qwen2.5's template for [user, assistant with a tool call, tool, assistant], written out by hand: the
        // assistant's tool-call turn is closed with <|im_end|> (the policy stopped at </tool_call>), the tool result is
        // a user turn with <tool_response>\n…\n</tool_response>, then the generation prompt.
        const string expected = "<|im_start|>user\n12*34=<|im_end|>\n<|im_start|>assistant\n" + call + "<|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\n408\n</tool_response><|im_end|>\n<|im_start|>assistant\nit is 408<|im_end|>";
        Assert.Equal(expected, tokenizer.Decode(t.PromptIds.Concat(t.ResponseIds)));
        Assert.Equal(TrajectoryEnd.Done, t.End);
        Assert.Equal((2, 1, 0), (t.Turns, t.ToolCalls, t.ToolErrors));
        var policyText = tokenizer.Decode(t.ResponseIds.Where((_, i) => t.PolicyMask[i]));
        Assert.Equal(call + "it is 408<|im_end|>", policyText);
    }
}
