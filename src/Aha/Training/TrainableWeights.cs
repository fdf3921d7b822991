using Aha.Checkpoints;
using Aha.Models;
using Aha.Models.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Training;

/// <summary>
/// What a trainer optimizes and what its checkpoints must hold for a resume: every parameter that requires a gradient,
/// and with LoRA adapters attached (<see cref="LoraAdapters"/>) the adapters — the frozen base is not written again, the
/// checkpoint holds the adapter in PEFT's format (<see cref="PeftAdapter"/>). The one place trainers ask either question.
/// </summary>
public static class TrainableWeights
{
    /// <summary>The parameters the optimizer steps: those requiring a gradient, plus any attached LoRA adapters' A and B.</summary>
    public static Parameter[] Of(nn.Module model)
    {
        var trainable = model.parameters().Where(p => p.requires_grad);
        return (LoraAdapters.Of(model) is { } lora ? trainable.Concat(lora.Parameters) : trainable).ToArray();
    }

    /// <summary>
    /// Writes the trained weights into <paramref name="dir"/>: the HF folder (config.json + model.safetensors), or with
    /// LoRA the PEFT adapter folder (adapter_config.json + adapter_model.safetensors; a scalar head's score included).
    /// </summary>
    public static void Save(nn.Module model, ModelConfig config, string dir)
    {
        if (LoraAdapters.Of(model) is not null) PeftAdapter.Save(model, dir, baseModel: null);
        else HfCheckpoint.Save(model, config, dir);
    }

    /// <summary>Restores what <see cref="Save"/> wrote (into a model built the same way: the same base, adapters attached).</summary>
    public static void Load(nn.Module model, string dir)
    {
        if (LoraAdapters.Of(model) is not null)
        {
            if (!PeftAdapter.IsAdapterFolder(dir))
                throw new InvalidDataException($"{dir}: the model has LoRA adapters but the checkpoint holds no {PeftAdapter.ConfigFile} (it was saved without LoRA).");
            PeftAdapter.Load(model, dir);
        }
        else
        {
            if (PeftAdapter.IsAdapterFolder(dir) && !File.Exists(Path.Combine(dir, HfCheckpoint.ConfigFile)))
                throw new InvalidDataException($"{dir}: the checkpoint holds a LoRA adapter but the model has none; resume with the same lora settings.");
            HfCheckpoint.LoadWeights(model, dir);
        }
    }
}
