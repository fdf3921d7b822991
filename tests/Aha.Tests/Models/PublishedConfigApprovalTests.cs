using Aha.Models;
using TorchSharp;

namespace Aha.Tests.Models;

/// <summary>
/// Parameter names and shapes for the published Qwen2.5-0.5B and Qwen3-0.6B configs, built on the meta device (no
/// weights allocated), against listings derived independently from HF's module structure
/// (tests/reference/models/make_parity_fixtures.py).
/// </summary>
public sealed class PublishedConfigApprovalTests
{
    [Theory]
    [InlineData("qwen2.5-0.5b", 494_032_768L)]
    [InlineData("qwen3-0.6b", 596_049_920L)]
    public void ParameterListing_MatchesHuggingFace(string name, long publishedCount)
    {
        var dir = Path.Combine("fixtures", "models", "configs");
        var config = ModelConfig.Load(Path.Combine(dir, $"{name}.config.json"));
        using var model = new CausalLM(config, torch.device("meta"));
        var listing = model.named_parameters()
            .Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]")
            .Order(StringComparer.Ordinal)
            .ToArray();
        var approved = File.ReadAllLines(Path.Combine(dir, $"{name}.params.approved.txt")).Where(l => l.Length > 0).ToArray();
        Assert.Equal(approved, listing);
        Assert.Equal(publishedCount, model.parameters().Sum(p => p.numel()));
        Assert.Equal(publishedCount, config.ParameterCount());
    }
}
