using Aha.Data;

namespace Aha.Tests.Data;

public sealed class PromptDataReaderTests
{
    [Fact]
    public void PromptAnswer_ReadsFieldsIdAndMetadata()
    {
        using var t = new TempFiles();
        var path = t.Write("d.jsonl",
            "{\"id\": \"a\", \"prompt\": \"2+2?\", \"answer\": \"4\", \"metadata\": {\"level\": 1}, \"source\": \"x\"}\n" +
            "\n" +
            "{\"prompt\": \"3+3?\", \"answer\": 6}\n");
        var items = PromptDataReader.Read(path).ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(("a", "2+2?", "4"), (items[0].Id, items[0].Prompt, items[0].Answer));
        Assert.Equal("1", items[0].Metadata["level"]);
        Assert.Equal("x", items[0].Metadata["source"]);
        Assert.Equal(("d.jsonl:3", "6"), (items[1].Id, items[1].Answer));   // numeric answer kept as written; id from line
    }

    [Fact]
    public void Gsm8k_AnswerIsTheHashLine_SolutionKept()
    {
        using var t = new TempFiles();
        var path = t.Write("gsm.jsonl", "{\"question\": \"How many?\", \"answer\": \"3*400=1200\\n#### 1,200\"}\n");
        var item = Assert.Single(PromptDataReader.Read(path));
        Assert.Equal("1200", item.Answer);
        Assert.Equal("How many?", item.Prompt);
        Assert.Contains("3*400", item.Metadata["solution"]);
    }

    [Fact]
    public void Math_AnswerIsTheLastBoxed()
    {
        using var t = new TempFiles();
        var path = t.Write("math.jsonl",
            "{\"problem\": \"Half?\", \"solution\": \"It is $\\\\boxed{\\\\frac{1}{2}}$.\", \"level\": \"Level 2\", \"type\": \"Algebra\"}\n");
        var item = Assert.Single(PromptDataReader.Read(path, new PromptReadOptions { Format = PromptDataFormat.Math }));
        Assert.Equal("\\frac{1}{2}", item.Answer);
        Assert.Equal("Level 2", item.Metadata["level"]);
    }

    [Fact]
    public void Template_IsApplied_QuestionKept()
    {
        using var t = new TempFiles();
        var path = t.Write("d.jsonl", "{\"prompt\": \"2+2\", \"answer\": \"4\"}\n");
        var item = Assert.Single(PromptDataReader.Read(path, new PromptReadOptions { Template = PromptTemplate.R1Zero }));
        Assert.StartsWith("A conversation between User and Assistant", item.Prompt);
        Assert.Contains("User: 2+2. Assistant:", item.Prompt);
        Assert.Equal("2+2", item.Metadata["question"]);
    }

    [Theory]
    [InlineData("{\"prompt\": \"p\"}", 2, "answer", "missing")]
    [InlineData("{\"prompt\": \"p\", \"answer\": [1]}", 2, "answer", "expected a string or number, got array")]
    [InlineData("{\"prompt\": 5, \"answer\": \"1\"}", 2, "prompt", "expected a string, got number 5")]
    [InlineData("{\"prompt\": \"p\", \"answer\": \"1\"", 2, null, "invalid JSON")]
    [InlineData("[1, 2]", 2, null, "expected a JSON object, got array")]
    [InlineData("{\"question\": \"q\", \"answer\": \"no hashes\"}", 2, "answer", "####")]
    [InlineData("{\"problem\": \"q\", \"solution\": \"no box\"}", 2, "solution", "\\boxed{}")]
    [InlineData("{\"text\": \"q\"}", 2, "prompt", "missing")]
    public void BadLine_ErrorNamesFileLineAndField(string badLine, int line, string? field, string problem)
    {
        using var t = new TempFiles();
        var path = t.Write("bad.jsonl", "{\"prompt\": \"ok\", \"answer\": \"1\"}\n" + badLine + "\n");
        var e = Assert.Throws<DataFormatException>(() => PromptDataReader.Read(path).ToList());
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"{path}:{line}: ", e.Message);
    }

    [Fact]
    public void SkipBadLines_CountsAndReportsThemAtTheEnd()
    {
        using var t = new TempFiles();
        var path = t.Write("mixed.jsonl",
            "{\"prompt\": \"a\", \"answer\": \"1\"}\nnot json\n{\"prompt\": \"b\"}\n{\"prompt\": \"c\", \"answer\": \"3\"}\n");
        var reports = new List<string>();
        var stats = new JsonlReadStats();
        var options = new PromptReadOptions { Jsonl = new JsonlOptions { SkipBadLines = true, Report = reports.Add } };
        var items = PromptDataReader.Read(path, options, stats).ToList();
        Assert.Equal(["a", "c"], items.Select(i => i.Prompt));
        Assert.Equal(2, stats.SkippedLines);
        Assert.Equal(2, stats.Records);
        Assert.Equal([2, 3], stats.Errors.Select(e => e.LineNumber!.Value));
        var report = Assert.Single(reports);
        Assert.Contains("skipped 2 bad line(s)", report);
        Assert.Contains("mixed.jsonl:2", report);
    }

    [Fact]
    public void EmptyFile_IsAClearError()
    {
        using var t = new TempFiles();
        var path = t.Write("empty.jsonl", "\n  \n");
        var e = Assert.Throws<DataFormatException>(() => PromptDataReader.Read(path).ToList());
        Assert.Contains("no records", e.Message);
        Assert.Contains("empty.jsonl", e.Message);
    }

    [Fact]
    public void AllLinesBad_WithSkipping_IsStillAnError()
    {
        using var t = new TempFiles();
        var path = t.Write("bad.jsonl", "x\ny\n");
        var options = new PromptReadOptions { Jsonl = new JsonlOptions { SkipBadLines = true } };
        var e = Assert.Throws<DataFormatException>(() => PromptDataReader.Read(path, options).ToList());
        Assert.Contains("all 2 non-blank lines were bad", e.Message);
    }

    [Fact]
    public void MissingFile_NamesThePath()
    {
        var e = Assert.Throws<FileNotFoundException>(() => PromptDataReader.Read("/nonexistent/x.jsonl"));
        Assert.Contains("/nonexistent/x.jsonl", e.Message);
    }

    [Fact]
    public void PromptOnly_AllowedWhenAnswerNotRequired()
    {
        using var t = new TempFiles();
        var path = t.Write("p.jsonl", "{\"prompt\": \"hi\"}\n");
        var item = Assert.Single(PromptDataReader.Read(path, new PromptReadOptions { RequireAnswer = false }));
        Assert.Null(item.Answer);
    }

    [Theory]
    [InlineData("raw", "raw"), InlineData("think_answer", "think"), InlineData("think-answer", "think"), InlineData("THINK", "think")]
    [InlineData("r1_zero", "r1"), InlineData("r1-zero", "r1"), InlineData("r1zero", "r1")]
    public void TemplateNames_ConfigAndR1ZeroSpellings_NameTheSameTemplate(string name, string which)
    {
        var expected = which switch { "raw" => PromptTemplate.Raw, "think" => PromptTemplate.ThinkAnswer, _ => PromptTemplate.R1Zero };
        Assert.Same(expected, PromptTemplate.Named(name));
        Assert.Null(PromptTemplate.Named("r1"));
    }
}
