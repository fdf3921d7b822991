using Aha.Tokenization;
using Aha.Data;

namespace Aha.Tests.Data;

public sealed class ChatDataReaderTests
{
    [Fact]
    public void Sft_ReadsMessagesAndPromptCompletion()
    {
        using var t = new TempFiles();
        var path = t.Write("sft.jsonl",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}\n" +
            "{\"prompt\": \"2+2=\", \"completion\": \"4\"}\n");
        var items = SftDataReader.Read(path).ToList();
        Assert.True(items[0].IsChat);
        Assert.Equal(new ChatMessage("assistant", "hello"), items[0].Messages![1]);
        Assert.False(items[1].IsChat);
        Assert.Equal(("2+2=", "4"), (items[1].Prompt, items[1].Completion));
    }

    [Theory]
    [InlineData("{\"messages\": [{\"role\": \"assitant\", \"content\": \"x\"}]}", "messages[0].role", "unknown role \"assitant\"")]
    [InlineData("{\"messages\": [{\"role\": \"user\"}]}", "messages[0].content", "missing")]
    [InlineData("{\"messages\": []}", "messages", "empty list")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", "messages", "no assistant message")]
    [InlineData("{\"prompt\": \"x\"}", "completion", "missing")]
    [InlineData("{\"prompt\": \"x\", \"completion\": \"\"}", "completion", "is empty")]
    [InlineData("{\"text\": \"x\"}", "messages", "expected 'messages' or 'prompt' and 'completion'")]
    public void Sft_BadRecord_NamesTheField(string line, string field, string problem)
    {
        using var t = new TempFiles();
        var path = t.Write("sft.jsonl", line + "\n");
        var e = Assert.Throws<DataFormatException>(() => SftDataReader.Read(path).ToList());
        Assert.Equal((1, field), (e.LineNumber, e.Field));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Preferences_TextOrMessages_AndImplicitPrompt()
    {
        using var t = new TempFiles();
        var path = t.Write("pref.jsonl",
            "{\"prompt\": \"Q\", \"chosen\": \"good\", \"rejected\": \"bad\"}\n" +
            "{\"chosen\": [{\"role\": \"user\", \"content\": \"Q\"}, {\"role\": \"assistant\", \"content\": \"good\"}]," +
            " \"rejected\": [{\"role\": \"user\", \"content\": \"Q\"}, {\"role\": \"assistant\", \"content\": \"bad\"}]}\n");
        var items = PreferenceDataReader.Read(path).ToList();
        Assert.Equal(("Q", "good", "bad"), (items[0].Prompt!.Text, items[0].Chosen.Text, items[0].Rejected.Text));
        Assert.Null(items[1].Prompt);
        Assert.Equal("good", items[1].Chosen.Messages![1].Content);
    }

    [Theory]
    [InlineData("{\"chosen\": \"a\", \"rejected\": \"b\"}", "prompt")]
    [InlineData("{\"prompt\": \"q\", \"chosen\": \"a\"}", "rejected")]
    [InlineData("{\"prompt\": \"q\", \"chosen\": 3, \"rejected\": \"b\"}", "chosen")]
    public void Preferences_BadRecord_NamesTheField(string line, string field)
    {
        using var t = new TempFiles();
        var path = t.Write("pref.jsonl", "\n" + line + "\n");
        var e = Assert.Throws<DataFormatException>(() => PreferenceDataReader.Read(path).ToList());
        Assert.Equal((2, field), (e.LineNumber, e.Field));
    }
}
