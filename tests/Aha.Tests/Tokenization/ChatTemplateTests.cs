using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

/// <summary>Golden strings written out by hand from Qwen2.5-Instruct's Jinja chat_template (no tools).</summary>
public sealed class ChatTemplateTests
{
    [Fact]
    public void Qwen25_NoSystemMessage_InjectsDefaultSystemPrompt()
    {
        var text = ChatTemplate.Qwen25.Render([ChatMessage.User("Hi")], addGenerationPrompt: true);
        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n" +
            "<|im_start|>assistant\n", text);
    }

    [Fact]
    public void Qwen25_ExplicitSystemMessage_ReplacesDefault()
    {
        var text = ChatTemplate.Qwen25.Render([ChatMessage.System("Be terse."), ChatMessage.User("Hi")]);
        Assert.Equal("<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n", text);
    }

    [Fact]
    public void Default_AddsNoSystemTurn()
    {
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n", ChatTemplate.Default.Render([ChatMessage.User("Hi")]));
    }

    [Fact]
    public void MultiTurn_RendersEveryTurnInOrder()
    {
        var text = ChatTemplate.Default.Render(
        [
            ChatMessage.System("S"),
            ChatMessage.User("2+2?"),
            ChatMessage.Assistant("<think>\nadd\n</think>\n\n4"),
            ChatMessage.User("and 3+3?"),
        ], addGenerationPrompt: true);
        Assert.Equal(
            "<|im_start|>system\nS<|im_end|>\n" +
            "<|im_start|>user\n2+2?<|im_end|>\n" +
            "<|im_start|>assistant\n<think>\nadd\n</think>\n\n4<|im_end|>\n" +
            "<|im_start|>user\nand 3+3?<|im_end|>\n" +
            "<|im_start|>assistant\n", text);
    }

    [Fact]
    public void UnknownRole_IsRejectedWithTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ChatTemplate.Default.Render([new ChatMessage("tool", "x")]));
        Assert.Equal("messages", e.ParamName);
        Assert.Contains("\"tool\"", e.Message);
        Assert.Contains("system, user, assistant", e.Message);
    }

    [Fact]
    public void EmptyConversation_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ChatTemplate.Default.Render([], addGenerationPrompt: true));
        Assert.Equal("messages", e.ParamName);
    }
}
