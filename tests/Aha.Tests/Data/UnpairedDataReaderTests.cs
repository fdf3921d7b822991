using Aha.Data;
using Aha.Tokenization;

namespace Aha.Tests.Data;

public sealed class UnpairedDataReaderTests
{
    [Fact]
    public void ReadsTextAndConversationalLines_AndUnpairsPairedOnes()
    {
        using var t = new TempFiles();
        var path = t.Write("kto.jsonl",
            "{\"prompt\": \"2+2=\", \"completion\": \"4\", \"label\": true}\n" +
            "\n" +
            "{\"id\": \"c\", \"prompt\": [{\"role\": \"user\", \"content\": \"hi\"}], \"completion\": [{\"role\": \"assistant\", \"content\": \"go away\"}], \"label\": false}\n" +
            "{\"prompt\": \"1+1=\", \"chosen\": \"2\", \"rejected\": \"3\"}\n");
        var items = UnpairedDataReader.Read(path).ToList();
        Assert.Equal(4, items.Count);
        Assert.Equal(("2+2=", "4", true), (items[0].Prompt.Text, items[0].Completion.Text, items[0].Label));
        Assert.Equal(("c", false), (items[1].Id, items[1].Label));
        Assert.Equal(ChatMessage.User("hi"), items[1].Prompt.Messages![0]);
        Assert.Equal(new ChatMessage("assistant", "go away"), items[1].Completion.Messages![0]);
        // TRL unpair_preference_dataset: chosen → label true, rejected → label false, same prompt.
        Assert.Equal(("kto.jsonl:4/chosen", "2", true), (items[2].Id, items[2].Completion.Text, items[2].Label));
        Assert.Equal(("kto.jsonl:4/rejected", "3", false), (items[3].Id, items[3].Completion.Text, items[3].Label));
        Assert.Equal("1+1=", items[3].Prompt.Text);
    }

    [Theory]
    [InlineData("{\"prompt\": \"x\", \"completion\": \"y\"}", "label", "missing")]
    [InlineData("{\"prompt\": \"x\", \"completion\": \"y\", \"label\": \"true\"}", "label", "expected true or false, got string")]
    [InlineData("{\"prompt\": \"x\", \"completion\": \"y\", \"label\": 1}", "label", "expected true or false")]
    [InlineData("{\"completion\": \"y\", \"label\": true}", "prompt", "missing")]
    [InlineData("{\"prompt\": \"x\", \"label\": true}", "completion", "missing")]
    [InlineData("{\"prompt\": \"x\", \"completion\": \"\", \"label\": true}", "completion", "is empty")]
    [InlineData("{\"prompt\": \"x\", \"completion\": [{\"role\": \"assistant\", \"content\": \"y\"}], \"label\": true}", "completion", "use one format for both")]
    [InlineData("{\"prompt\": [{\"role\": \"user\", \"content\": \"x\"}], \"completion\": [{\"role\": \"user\", \"content\": \"y\"}], \"label\": true}", "completion", "must start with an assistant message")]
    [InlineData("{\"prompt\": \"x\", \"chosen\": \"y\", \"rejected\": 3}", "rejected", "expected text or a list of messages")]
    public void BadLine_NamesFileLineAndField(string line, string field, string problem)
    {
        using var t = new TempFiles();
        var path = t.Write("kto.jsonl", "{\"prompt\": \"ok\", \"completion\": \"fine\", \"label\": true}\n" + line + "\n");
        var e = Assert.Throws<DataFormatException>(() => UnpairedDataReader.Read(path).ToList());
        Assert.Equal((2, field), (e.LineNumber, e.Field));
        Assert.Contains(problem, e.Message);
        Assert.Contains("kto.jsonl", e.Message);
    }
}
