using Aha.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Models.Lora;

/// <summary>
/// The LoRA adapters attached to one model (<see cref="Attach"/>): the base weights are frozen (requires_grad false), each
/// targeted linear layer of every block gets a <see cref="LoraAdapter"/>, and the blocks add its term in their forwards.
/// The adapters are not registered parameters of the model, so the model's own parameter names and checkpoints stay
/// Hugging Face's; <see cref="Parameters"/> is what an optimizer trains. A scalar-head model's <c>score</c> stays
/// trainable, as PEFT does for sequence classification (<c>modules_to_save</c>).
/// <para><see cref="Disable"/> switches the adapters off for forwards on the calling thread only — the frozen base is
/// the reference policy, with no second copy of the model, while another thread may keep sampling from the adapted
/// one.</para>
/// </summary>
public sealed class LoraAdapters : IDisposable
{
    readonly ThreadLocal<int> _disabled = new(() => 0);
    readonly DecoderModel _backbone;

    LoraAdapters(DecoderModel backbone, LoraConfig config, IReadOnlyList<LoraAdapter> adapters)
    {
        _backbone = backbone;
        Config = config;
        Adapters = adapters;
    }

    /// <summary>The configuration the adapters were made with (targets resolved).</summary>
    public LoraConfig Config { get; }

    /// <summary>The adapters in block order (layer by layer, <see cref="LoraConfig.LinearModules"/> order within one).</summary>
    public IReadOnlyList<LoraAdapter> Adapters { get; }

    /// <summary>A and B of every adapter: what the optimizer trains.</summary>
    public IEnumerable<Parameter> Parameters => Adapters.SelectMany(a => new[] { a.A, a.B });

    internal bool ActiveOnThisThread => _disabled.Value == 0;

    /// <summary>The adapters attached to <paramref name="model"/> (a <see cref="CausalLM"/>, <see cref="ScalarHeadModel"/> or <see cref="DecoderModel"/>), or null.</summary>
    public static LoraAdapters? Of(nn.Module model) => model switch
    {
        CausalLM m => m.Backbone.Lora,
        ScalarHeadModel m => m.Backbone.Lora,
        DecoderModel m => m.Lora,
        _ => null,
    };

    /// <summary>
    /// Freezes <paramref name="model"/>'s decoder (and a causal LM's head) and attaches fresh adapters (A from
    /// <paramref name="seed"/>, B = 0) to the layers <paramref name="config"/> targets.
    /// </summary>
    /// <exception cref="ArgumentException">The config is invalid (a <see cref="Configuration.ConfigException"/> naming every key), or the model already has adapters.</exception>
    public static LoraAdapters Attach(nn.Module model, LoraConfig config, long seed = 0)
    {
        config.Validate();
        var backbone = model switch
        {
            CausalLM m => m.Backbone,
            ScalarHeadModel m => m.Backbone,
            DecoderModel m => m,
            _ => throw new ArgumentException($"LoRA attaches to a CausalLM, ScalarHeadModel or DecoderModel, not {model.GetType().Name}.", nameof(model)),
        };
        if (backbone.Lora is not null) throw new ArgumentException("The model already has LoRA adapters attached.", nameof(model));
        foreach (var p in model is ScalarHeadModel ? backbone.parameters() : model.parameters()) p.requires_grad = false;

        var generator = new Generator((ulong)seed);
        var adapters = new List<LoraAdapter>();
        var set = new LoraAdapters(backbone, config, adapters);
        var targets = config.ResolvedTargets;
        for (int i = 0; i < backbone.Config.NumLayers; i++)
        {
            var block = backbone.Block(i);
            foreach (var name in targets)
            {
                var layer = block.LinearNamed(name);
                var adapter = new LoraAdapter(set, $"model.layers.{i}.{DecoderLayer.PathOf(name)}", layer, config.R, config.Scaling, config.Dropout, generator);
                block.SetAdapter(name, adapter);
                adapters.Add(adapter);
            }
        }
        backbone.Lora = set;
        return set;
    }

    /// <summary>Switches the adapters off for forwards on the calling thread until the result is disposed (nestable).</summary>
    public IDisposable Disable()
    {
        _disabled.Value++;
        return new Enabler(this);
    }

    /// <summary><see cref="Disable"/> on <paramref name="model"/>'s adapters, or nothing when it has none.</summary>
    public static IDisposable? DisabledOn(nn.Module model) => Of(model)?.Disable();

    /// <summary>
    /// W ← W + s·B·A for every adapter, then removes the adapters from the model (its forward then computes what the
    /// adapted one did, as PEFT's <c>merge_and_unload</c>). The base weights stay frozen.
    /// </summary>
    public void MergeAndUnload()
    {
        using (torch.no_grad())
            foreach (var a in Adapters)
            {
                using var delta = a.Delta();
                a.Layer.weight!.add_(delta);
            }
        Unload();
    }

    /// <summary>Removes the adapters from the model's blocks (the base model computes as before) and disposes them.</summary>
    public void Dispose() => Unload();

    void Unload()
    {
        if (_backbone.Lora != this) return;
        for (int i = 0; i < _backbone.Config.NumLayers; i++) _backbone.Block(i).ClearAdapters();
        _backbone.Lora = null;
        foreach (var a in Adapters) a.Dispose();
        _disabled.Dispose();
    }

    sealed class Enabler(LoraAdapters owner) : IDisposable
    {
        bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner._disabled.Value--;
        }
    }
}
