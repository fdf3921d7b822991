using Aha.Templates;
using Aha.Tests.Tokenization;
using Aha.Tokenization;
using Aha.Training.Offline;

namespace Aha.Tests.Templates;

/// <summary>The model's own template as the default of training data and generation; ChatML where a folder has none.</summary>
public sealed class ModelChatTemplateTests
{
    [Fact]
    public void For_HfTokenizerWithTemplate_UsesIt_CharTokenizerFallsBackToChatMl()
    {
        var llama = ChatTemplate.For(HfFamilyFixtures.Tokenizer("llama3_1"));
        Assert.False(llama.IsChatMl);
        // Llama 3.1's template (hand-read): bos + header + "\n\n" + trimmed content + <|eot_id|>, then the generation header.
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            llama.Render([ChatMessage.User("  Hi ")], addGenerationPrompt: true));
        Assert.True(ChatTemplate.For(CharTokenizer.Create("ab")).IsChatMl);
    }

    [Fact]
    public void SftChatPieces_WithLlamaTemplate_TrainOnContentAndEndOfTurnOnly()
    {
        var template = ChatTemplate.For(HfFamilyFixtures.Tokenizer("llama3_1"));
        var messages = new[] { ChatMessage.User("Say hi."), ChatMessage.Assistant("Hi!"), ChatMessage.User("Again."), ChatMessage.Assistant("Hi again!") };
        var pieces = OfflineTokenization.ChatPieces(messages, template);
        Assert.Equal(template.Render(messages), string.Concat(pieces.Select(p => p.Text)));
        Assert.Equal(["Hi!<|eot_id|>", "Hi again!<|eot_id|>"], pieces.Where(p => p.Trained).Select(p => p.Text).ToArray());
    }

    [Fact]
    public void SftChatPieces_Qwen3DroppingPastReasoning_FailsClearly()
    {
        // Qwen3 renders an assistant turn's <think> block only after the last user query, so turn 1's text changes
        // once a later user turn follows: turn-by-turn targets do not exist.
        var template = ChatTemplate.For(HfFamilyFixtures.Tokenizer("qwen3"));
        var messages = new[] { ChatMessage.User("1+1?"), ChatMessage.Assistant("<think>\nsum\n</think>\n\n2"), ChatMessage.User("2+2?"), ChatMessage.Assistant("4") };
        var e = Assert.Throws<InvalidOperationException>(() => OfflineTokenization.ChatPieces(messages, template));
        Assert.Contains("assistant turn 1", e.Message);
    }

    [Fact]
    public void ParseError_NamesTemplateAndLine()
    {
        var e = Assert.Throws<TemplateException>(() => JinjaTemplate.Parse("line one\n{{ 1 +* 2 }}", "t.jinja"));
        Assert.Equal(2, e.Line);
        Assert.StartsWith("t.jinja: line 2:", e.Message);
    }
}
