namespace Aha.Configuration;

/// <summary>
/// A key another tool's configs use (TRL's <c>GRPOConfig</c>, <c>DPOConfig</c>, <c>SFTConfig</c>), accepted at the top
/// level of a config file or <c>--set</c> and moved to the key it means here before binding.
/// </summary>
/// <param name="Key">The other tool's key, snake_case (<c>max_steps</c>).</param>
/// <param name="Target">Our dotted key it sets (empty for a <see cref="Fixed"/> key) (<c>steps</c>, <c>trainer.num_generations</c>); null when the setting has
/// no equivalent here, which is then reported as such (<paramref name="Reason"/>), not as a typo.</param>
/// <param name="Reason">Why an unsupported key has no equivalent, and what to use instead.</param>
/// <param name="Values">When the other tool's values differ from ours: its value (lower case) → ours. A value outside
/// the table is an error listing the accepted ones (with the reason in <paramref name="Reason"/> when given).</param>
/// <param name="AlsoTarget">A second key set to the same value unless the config sets it itself (TRL's <c>epsilon</c>
/// is also the upper clip while <c>epsilon_high</c> is unset).</param>
public sealed record ConfigAlias(string Key, string? Target, string? Reason = null,
    IReadOnlyDictionary<string, string>? Values = null, string? AlsoTarget = null)
{
    /// <summary>A key with no equivalent here.</summary>
    public static ConfigAlias Unsupported(string key, string reason) => new(key, null, reason);

    /// <summary>A key whose only supported value is what we always do: accepted with that value (and dropped), an error otherwise.</summary>
    public static ConfigAlias Fixed(string key, string value, string reason) =>
        new(key, "", reason, new Dictionary<string, string> { [value] = value });

    /// <summary>True for <see cref="Fixed"/> aliases: nothing is set.</summary>
    public bool IsFixed => Target is "";
}

/// <summary>A config record whose file format also accepts another tool's key names (see <see cref="ConfigAlias"/>).</summary>
public interface IConfigAliases
{
    /// <summary>The accepted foreign keys. The keys of this record itself always win: an alias never shadows one.</summary>
    IReadOnlyList<ConfigAlias> ConfigAliases();
}
