using Aha.Data;
using Aha.Tasks;

namespace Aha.Tests.Tasks;

public sealed class CountdownTaskTests
{
    [Fact]
    public void Split_HasNoProblemInBothHalves_EvenWithNumbersReordered()
    {
        var split = TaskDatasets.Generate(TaskDatasets.Create("countdown"), 1000, 300, seed: 5);
        static string Key(PromptItem p) =>
            string.Join(",", p.Metadata["numbers"].Split(',').Select(int.Parse).Order()) + "->" + p.Metadata["target"];
        var test = split.Test.Select(Key).ToHashSet();
        Assert.Equal(300, test.Count);
        Assert.DoesNotContain(split.Train, p => test.Contains(Key(p)));
    }

    [Fact]
    public void Problems_HaveTargetsInRange_AndAnswerIsTheTarget()
    {
        var task = new CountdownTask();
        var rng = new SeededRandom(11);
        for (int i = 0; i < 300; i++)
        {
            var p = task.Generate(rng);
            int target = int.Parse(p.Answer);
            Assert.InRange(target, 1, 999);
            Assert.Equal(p.Metadata["target"], p.Answer);
            Assert.DoesNotContain(target, p.Metadata["numbers"].Split(',').Select(int.Parse));
            Assert.Contains($"equals {target}", p.Question);
        }
    }

    [Fact]
    public void Items_RoundTripThroughJsonl_AsPromptItems()
    {
        var split = TaskDatasets.Generate(TaskDatasets.Create("countdown"), 20, 10, seed: 1);
        var dir = Path.Combine(Path.GetTempPath(), "aha-task-" + Guid.NewGuid().ToString("N"));
        try
        {
            PromptItemJsonl.Write(Path.Combine(dir, "train.jsonl"), split.Train);
            var back = PromptDataReader.Read(Path.Combine(dir, "train.jsonl")).ToList();
            Assert.Equal(split.Train.Count, back.Count);
            for (int i = 0; i < back.Count; i++)
            {
                Assert.Equal(split.Train[i].Id, back[i].Id);
                Assert.Equal(split.Train[i].Prompt, back[i].Prompt);
                Assert.Equal(split.Train[i].Answer, back[i].Answer);
                Assert.Equal(split.Train[i].Metadata.OrderBy(kv => kv.Key), back[i].Metadata.OrderBy(kv => kv.Key));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
